// AWS error shapes. The SDK picks the exception class from the part of `__type` after '#', and reads `message`
// (or `Message` for a few exceptions, such as TransactionCanceledException) and the exception's own members.
import type { ApiError } from './dynalite.ts';

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810#';

export function apiError(type: string, message: string, extra: Record<string, unknown> = {}, statusCode = 400): ApiError {
  const err: ApiError = new Error(message);
  err.statusCode = statusCode;
  err.body = { __type: type.includes('#') ? type : DYNAMODB + type, message, ...extra };
  return err;
}

export const validationException = (message: string): ApiError =>
  apiError('com.amazon.coral.validate#ValidationException', message);

export const resourceNotFound = (message = 'Requested resource not found'): ApiError =>
  apiError('ResourceNotFoundException', message);

export const serializationException = (message: string): ApiError =>
  apiError('com.amazon.coral.service#SerializationException', message);

export const unknownOperation = (): ApiError =>
  apiError('com.amazon.coral.service#UnknownOperationException', 'Unknown operation');

export const internalServerError = (message: string): ApiError => apiError('InternalServerError', message, {}, 500);
