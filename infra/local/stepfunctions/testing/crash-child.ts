/**
 * A process the restart tests kill: it runs one execution of the machine in `restart-machine.ts` on a data
 * directory, logs every Task call to a file, and prints `blocked` when the call named by BLOCK_AT starts (that call
 * never answers). The test then sends SIGKILL, as a crash would, and restarts on the same data directory.
 *
 *   node --import tsx crash-child.ts <dataDir> <callsFile> <blockAt> <executionName>
 */
import { appendFileSync } from 'node:fs';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startLocalStepFunctions } from '../index.ts';
import { answer, restartMachine, RESTART_MACHINE_ARN } from './restart-machine.ts';

const [dataDir, callsFile, blockAt, name] = process.argv.slice(2) as [string, string, string, string];

const sfn = await startLocalStepFunctions({
  stateMachines: [restartMachine],
  dataDir,
  invokeFunction: async (functionArn, payload) => {
    const call = answer(functionArn, payload);
    appendFileSync(callsFile, `${call.label}\n`);
    if (call.label === blockAt) {
      process.stdout.write('blocked\n');
      return new Promise(() => undefined);
    }
    return call.result;
  },
});
const client = new SFNClient({ region: 'us-east-1', endpoint: sfn.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
await client.send(new StartExecutionCommand({ stateMachineArn: RESTART_MACHINE_ARN, name, input: JSON.stringify({ orderId: name, lines: ['a', 'b', 'c'] }) }));
