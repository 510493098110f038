import { createRequire } from 'node:module';
import { findPlaceholders } from './substitute-definition.ts';

type Json = Record<string, unknown>;

interface AslValidationResult {
  isValid: boolean;
  errors: Array<{ 'Error code'?: string; Message?: string; message?: string; instancePath?: string }>;
  errorsText(separator?: string): string;
}
type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => AslValidationResult;

// asl-validator is CommonJS without type declarations; requiring it keeps the typing local to this file.
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

export type TaskKind =
  | { kind: 'lambdaInvoke' }
  | { kind: 'lambdaArn' }
  | { kind: 'sqsSendMessage' }
  | { kind: 'eventsPutEvents' }
  | { kind: 'dynamodb'; action: 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' };

export interface TaskSpec {
  /** The name in the definition, as AWS shows it. */
  name: string;
  /** The unique name given to the runner (differs from `name` when the name repeats across branches). */
  runtimeName: string;
  resource: string;
  task: TaskKind;
}

export interface PreparedDefinition {
  /** The definition handed to aws-local-stepfunctions: duplicate Task names made unique, retries and waits scaled. */
  runtimeDefinition: Json;
  tasks: Map<string, TaskSpec>;
}

export interface PrepareOptions {
  retryIntervalScale: number;
  waitTimeScale: number;
}

/** Separates a state's name from the suffix that makes a repeated Task name unique for the runner. */
const RUNTIME_NAME_SEPARATOR = '\uE000';

export function displayStateName(runtimeName: string): string {
  const at = runtimeName.indexOf(RUNTIME_NAME_SEPARATOR);
  return at === -1 ? runtimeName : runtimeName.slice(0, at);
}

const SERVICE_RESOURCE = /^arn:aws[a-z-]*:states:::([a-z0-9-]+):([A-Za-z]+)(\.[A-Za-z0-9:]+)?$/;
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

export function classifyResource(resource: string): TaskKind | string {
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { kind: 'lambdaArn' };
  const match = SERVICE_RESOURCE.exec(resource);
  if (!match) return `resource '${resource}' is not supported locally (supported: Lambda function ARNs and the lambda:invoke, sqs:sendMessage, events:putEvents, dynamodb:getItem|putItem|updateItem|deleteItem integrations)`;
  const [, service, action, pattern] = match;
  if (pattern === '.waitForTaskToken') return `resource '${resource}' uses .waitForTaskToken, which the local runner cannot do`;
  if (pattern?.startsWith('.sync')) return `resource '${resource}' uses ${pattern}, which the local runner cannot do`;
  if (pattern) return `resource '${resource}' uses the unsupported integration pattern '${pattern}'`;
  if (service === 'lambda' && action === 'invoke') return { kind: 'lambdaInvoke' };
  if (service === 'sqs' && action === 'sendMessage') return { kind: 'sqsSendMessage' };
  if (service === 'events' && action === 'putEvents') return { kind: 'eventsPutEvents' };
  if (service === 'dynamodb' && (action === 'getItem' || action === 'putItem' || action === 'updateItem' || action === 'deleteItem')) {
    return { kind: 'dynamodb', action };
  }
  return `resource '${resource}' (${service}:${action}) is not supported locally`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Each `States` object of the definition (top level, Map processors, Parallel branches), outermost first. */
function forEachScope(scope: Json, visit: (scope: Json, path: string) => void, path = '$'): void {
  visit(scope, path);
  const states = isObject(scope.States) ? scope.States : {};
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObject(processor)) forEachScope(processor, visit, `${path}.States['${name}'].ItemProcessor`);
    if (Array.isArray(state.Branches)) {
      state.Branches.forEach((branch, i) => {
        if (isObject(branch)) forEachScope(branch, visit, `${path}.States['${name}'].Branches[${i}]`);
      });
    }
  }
}

/** What the local runner cannot do, found before any execution starts. */
export function findUnsupportedFeatures(definition: Json): string[] {
  const problems: string[] = [];
  if (definition.QueryLanguage === 'JSONata') problems.push('QueryLanguage JSONata is not supported locally (JSONPath only)');
  forEachScope(definition, (scope, path) => {
    if (scope.QueryLanguage === 'JSONata' && path !== '$') problems.push(`${path}: QueryLanguage JSONata is not supported locally`);
    for (const [name, state] of Object.entries(isObject(scope.States) ? scope.States : {})) {
      if (!isObject(state)) continue;
      const where = `state '${name}'`;
      if (state.QueryLanguage === 'JSONata') problems.push(`${where}: QueryLanguage JSONata is not supported locally`);
      if ('Assign' in state) problems.push(`${where}: Assign (variables) is not supported by the local runner`);
      if (state.Type === 'Task') {
        const kind = typeof state.Resource === 'string' ? classifyResource(state.Resource) : 'Resource is missing';
        if (typeof kind === 'string') problems.push(`${where}: ${kind}`);
      }
      if (state.Type === 'Map') {
        const processor = state.ItemProcessor;
        const mode = isObject(processor) && isObject(processor.ProcessorConfig) ? processor.ProcessorConfig.Mode : undefined;
        // A distributed Map over items of its own input runs here as an inline one: each item one run of the
        // processor, MaxConcurrency at a time, any failure failing the Map (no child executions, no tolerated failures).
        if ('ItemReader' in state || 'ResultWriter' in state || 'ItemBatcher' in state) {
          problems.push(`${where}: distributed Map with ItemReader, ResultWriter or ItemBatcher is not supported locally (items from the state input are)`);
        } else if (mode === 'DISTRIBUTED' && (Number(state.ToleratedFailurePercentage ?? 0) > 0 || Number(state.ToleratedFailureCount ?? 0) > 0 || 'ToleratedFailurePercentagePath' in state || 'ToleratedFailureCountPath' in state)) {
          problems.push(`${where}: a distributed Map's tolerated failures are not supported locally (0 is)`);
        }
      }
    }
  });
  return problems;
}

/**
 * Parses, validates and checks a substituted definition. Throws one error naming the state machine and every problem,
 * so a bad definition stops the local cloud at start and not in the middle of an execution.
 */
export function checkDefinition(stateMachineName: string, definitionText: string): Json {
  let definition: unknown;
  try {
    definition = JSON.parse(definitionText);
  } catch (error) {
    throw new Error(`State machine '${stateMachineName}': definition is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(definition)) throw new Error(`State machine '${stateMachineName}': definition must be a JSON object`);
  const placeholders = findPlaceholders(definitionText);
  if (placeholders.length > 0) {
    throw new Error(
      `State machine '${stateMachineName}': unfilled placeholders ${placeholders.map((p) => `\${${p}}`).join(', ')} (run the file through substituteDefinition)`,
    );
  }
  // The validator writes QueryLanguage into the states it visits: give it a copy.
  const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  // asl-validator rejects a state name repeated in another branch; the brief for the local cloud is to run such
  // definitions (and the dispatch below copes with it), so that one finding is reported as a warning.
  const errors = result.errors.filter((e) => e['Error code'] !== 'DUPLICATE_STATE_NAMES');
  const duplicateWarnings = result.errors.filter((e) => !errors.includes(e));
  if (duplicateWarnings.length > 0) {
    console.warn(
      `[local-stepfunctions] ${stateMachineName}: ${duplicateWarnings.map((e) => e.Message).join('; ')} (AWS documents state names as unique in the whole state machine)`,
    );
  }
  if (errors.length > 0) {
    const text = errors.map((e) => `${e['Error code'] ?? e.instancePath ?? ''} ${e.Message ?? e.message ?? JSON.stringify(e)}`.trim());
    throw new Error(`State machine '${stateMachineName}': invalid definition:\n  ${text.join('\n  ')}`);
  }
  const unsupported = findUnsupportedFeatures(definition);
  if (unsupported.length > 0) {
    throw new Error(`State machine '${stateMachineName}': uses what the local runner cannot do:\n  ${unsupported.join('\n  ')}`);
  }
  return definition;
}

function renameInScope(scope: Json, from: string, to: string): void {
  const states = scope.States as Record<string, Json>;
  if (scope.StartAt === from) scope.StartAt = to;
  const renamed: Record<string, Json> = {};
  for (const [name, state] of Object.entries(states)) {
    renamed[name === from ? to : name] = state;
    if (state.Next === from) state.Next = to;
    if (state.Default === from) state.Default = to;
    for (const list of [state.Choices, state.Catch]) {
      if (!Array.isArray(list)) continue;
      for (const entry of list) if (isObject(entry) && entry.Next === from) entry.Next = to;
    }
  }
  scope.States = renamed;
}

function scaleRetriersAndWaits(state: Json, options: PrepareOptions): void {
  if (Array.isArray(state.Retry)) {
    state.Retry = state.Retry.map((retrier: Json) => ({
      ...retrier,
      IntervalSeconds: (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * options.retryIntervalScale,
      ...(typeof retrier.MaxDelaySeconds === 'number' ? { MaxDelaySeconds: retrier.MaxDelaySeconds * options.retryIntervalScale } : {}),
    }));
  }
  if (state.Type === 'Wait' && typeof state.Seconds === 'number') state.Seconds = state.Seconds * options.waitTimeScale;
}

/** Builds what the runner executes. The runner matches local Task handlers by state name only, hence the renaming. */
export function prepareDefinition(definition: Json, options: PrepareOptions): PreparedDefinition {
  const runtimeDefinition = structuredClone(definition);
  const tasks = new Map<string, TaskSpec>();
  const seen = new Set<string>();
  forEachScope(runtimeDefinition, (scope) => {
    if (!isObject(scope.States)) return;
    for (const [name, state] of Object.entries(scope.States)) {
      if (!isObject(state)) continue;
      scaleRetriersAndWaits(state, options);
      if (state.Type !== 'Task') continue;
      let runtimeName = name;
      for (let n = 2; seen.has(runtimeName); n++) runtimeName = `${name}${RUNTIME_NAME_SEPARATOR}${n}`;
      if (runtimeName !== name) renameInScope(scope, name, runtimeName);
      seen.add(runtimeName);
      const resource = String(state.Resource);
      const task = classifyResource(resource);
      if (typeof task === 'string') throw new Error(`state '${name}': ${task}`);
      tasks.set(runtimeName, { name, runtimeName, resource, task });
    }
  });
  return { runtimeDefinition, tasks };
}
