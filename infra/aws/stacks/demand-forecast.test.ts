import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateMachineArnEnv, topology } from '../../topology.ts';
import { addDomStacks } from '../dom-app.ts';

// The daily demand forecast (issue 18 part 6) as synthesized: its schedule, its state machine with a distributed Map
// and the permissions the Map's child executions need. Templates only (bundling skipped, as in dom-stacks.test.ts).
let stateless: Template;
let validationError: unknown;

beforeAll(() => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'dom-cdk-forecast-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addDomStacks(app, { stage: 'test' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    validationError = error;
  }
  stateless = Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, stacks.stateless.templateFile), 'utf8')) as Record<string, unknown>);
}, 60_000);

const forecastMachine = () => {
  const found = stateless.findResources('AWS::StepFunctions::StateMachine', { Properties: { DefinitionSubstitutions: Match.objectLike({ ForecastSkuChunkFunctionArn: Match.anyValue() }) } });
  expect(Object.keys(found)).toHaveLength(1);
  return Object.entries(found)[0]!;
};

describe('the daily demand forecast on AWS', () => {
  it('synthesizes without a cdk-nag finding', () => {
    expect(validationError).toBeUndefined();
  });

  it('is a Standard state machine whose chunk Map runs as a distributed Map of child executions', () => {
    const [, machine] = forecastMachine();
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    const definition = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../', topology.stateMachines.demandForecast.definitionFile), 'utf8'));
    expect(definition.States.ForecastChunks.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(Object.keys(machine.Properties.DefinitionSubstitutions).sort()).toEqual(['ForecastSkuChunkFunctionArn', 'PlanDemandForecastFunctionArn', 'WorkflowFailuresQueueUrl']);
  });

  it('lets the state machine start, describe and stop executions of itself (the Map\'s children), in a policy of its own', () => {
    const [machineId, machine] = forecastMachine();
    const roleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const policies = Object.values(stateless.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]) && JSON.stringify(p).includes('states:StartExecution'));
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0])).toContain(machineId);
    const text = JSON.stringify(policies[0]);
    for (const action of ['states:StartExecution', 'states:DescribeExecution', 'states:StopExecution']) expect(text).toContain(action);
  });

  it('is started daily by a schedule invoking startDemandForecasts, which may start it and is told its ARN', () => {
    const spec = topology.schedules.demandForecasts!;
    expect(spec.rateMinutes).toBe(1440);
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', { Description: spec.description, ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
    const [machineId] = forecastMachine();
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Description: topology.functions.startDemandForecasts.description,
      Environment: { Variables: Match.objectLike({ [stateMachineArnEnv('demandForecast')]: { Ref: machineId } }) },
    });
  });

  it('feeds Shipment changes to the inventory stream consumer, which rolls up demand', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: { Filters: Match.arrayWith([{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['Shipment'] } } } }) }]) },
    });
  });
});
