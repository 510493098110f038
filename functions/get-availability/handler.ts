import { getPickupAvailability } from '#application/orders/pickup-availability';
import { dynamoChannelStore } from '#adapters/dynamodb/catalog-store';
import { dynamoNetworkReader } from '#adapters/dynamodb/fulfillment-store';
import { dynamoSkuNetworkStore } from '#adapters/dynamodb/stock-store';
import { usZipGeocoder } from '#adapters/geo/us-zip-geocoder';
import { systemClock } from '#adapters/system/system';
import { UnknownPostalCodeError } from '#domain/inventory/location';
import { availabilityQuerySchema } from '#http/availability-schemas';
import { httpHandler } from '#http/handler';
import { ValidationError } from '#http/problem';
import { queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { network: dynamoNetworkReader, networks: dynamoSkuNetworkStore, channels: dynamoChannelStore, geocoder: usZipGeocoder, clock: systemClock };

export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const query = queryParameters(event, availabilityQuerySchema);
  const answer = await getPickupAvailability(deps, tenantId, query).catch((error: unknown) => {
    // A well-formed ZIP that cannot be placed offline is the query's field, like a malformed one.
    if (error instanceof UnknownPostalCodeError) throw new ValidationError([{ field: 'query.near', message: error.message }]);
    throw error;
  });
  return json(200, answer);
});
