/** The machine the restart tests run: the shape of order-fulfillment (plan, reserve, a Map of rates, confirm). */
const ACCOUNT = '000000000000';
export const RESTART_MACHINE_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:fulfil`;
const fn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const invoke = (name: string, payload: string, next: string, resultPath: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: fn(name), 'Payload.$': payload },
  ResultSelector: { 'value.$': '$.Payload' },
  ResultPath: resultPath,
  Next: next,
});

export const restartMachine = {
  name: 'fulfil',
  arn: RESTART_MACHINE_ARN,
  definition: JSON.stringify({
    StartAt: 'Plan',
    States: {
      Plan: invoke('plan', '$', 'Reserve', '$.plan'),
      Reserve: invoke('reserve', '$', 'Rate', '$.reservation'),
      Rate: {
        Type: 'Map',
        ItemsPath: '$.lines',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'RateLine',
          States: { RateLine: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fn('rate'), 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } },
        },
        ResultPath: '$.rates',
        Next: 'Confirm',
      },
      Confirm: {
        ...invoke('confirm', '$', 'Done', '$.confirmation'),
        // $$.Execution.Input must still be the execution's input after a redrive re-enters here.
        Parameters: { FunctionName: fn('confirm'), Payload: { 'orderId.$': '$.orderId', 'rates.$': '$.rates', 'startedWith.$': '$$.Execution.Input.orderId' } },
      },
      Done: { Type: 'Succeed' },
    },
  }),
};

/** What each Task answers, and the label the tests count calls by (`rate:<line>` for the Map's calls). */
export function answer(functionArn: string, payload: unknown): { label: string; result: unknown } {
  const name = functionArn.split(':').pop()!;
  if (name === 'rate') return { label: `rate:${String(payload)}`, result: { line: payload, cents: 100 } };
  if (name === 'confirm') {
    const input = payload as { orderId: string; rates: unknown[]; startedWith: string };
    return { label: 'confirm', result: { orderId: input.orderId, rated: input.rates.length, startedWith: input.startedWith } };
  }
  return { label: name, result: `${name}-done` };
}
