import type { APIGatewayProxyResult } from 'aws-lambda';
import { PROBLEM_CONTENT_TYPE, type Problem } from './problem.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function problem(body: Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(body),
  };
}
