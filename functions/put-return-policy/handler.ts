import { putReturnPolicy } from '#application/orders/returns';
import { returnPolicySchema } from '#domain/orders/refund';
import { returnDeps } from '#adapters/orders';
import { httpHandler } from '#http/handler';
import { parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';

/** PUT /tenant/return-policy: whether returns refund shipping, and the restocking fee; replaced as a whole. */
export const handler = httpHandler(async (event) => {
  const policy = await putReturnPolicy(returnDeps, tenantIdOf(event), parseBody(event, returnPolicySchema));
  return json(200, policy);
});
