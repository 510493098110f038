// Public surface of the routing engine, for the routing Lambda's use case and the CLI.
export { routeOrder } from './route-order.ts';
export type { Destination, LineAllocation, Parcel, RouteRequest, RoutingBudget, RoutingDecision, RoutingExplanation } from './route-order.ts';
export type { CandidateLocation, Customer, OrderLine } from './apply-rules.ts';
export { parseRoutingRules, routingRulesSchema, selectRuleSet, DEFAULT_PREFERENCE_WEIGHTS } from './rules.ts';
export type { Preference, RoutingRules, RoutingRulesInput, RuleSet, SplitPolicyName } from './rules.ts';
export { solveRouting } from './solver.ts';
export type { SolveOptions, SolverLocation, SolverProblem, SolverResult } from './solver.ts';
