/** The what-if answers (issue 15) as the API gives them: simulations, the shadow rule set and its KPIs. */
import { z } from 'zod';
import { routingRulesSchema, scopeSchema } from '#domain/routing/rules';

const decisionSummarySchema = z
  .object({
    ruleSet: z.string().describe('The rule set that decided, as id@vVersion'),
    status: z.enum(['routed', 'partial', 'hold']),
    alloc: z.array(z.tuple([z.string(), z.string(), z.number().int()])).describe('[locationId, sku, units], sorted'),
    parcels: z.number().int(),
    cost: z.number().describe('Shipping cost by the routing engine\'s carrier cost model'),
    co2Kg: z.number(),
    days: z.number().describe('Promised days of the last parcel to arrive (0 without parcels)'),
    unfilled: z.number().int().describe('Units no eligible location could ship'),
    optimal: z.boolean(),
  })
  .meta({ id: 'DecisionSummary' });

const figuresSchema = z
  .object({
    shippingCost: z.number(),
    shippingCostPerOrder: z.number(),
    parcelsPerOrder: z.number(),
    co2KgPerOrder: z.number(),
    promisedDays: z.number().describe('Mean over decisions with a parcel of the last parcel\'s promised days'),
    unitsUnfilled: z.number(),
  })
  .meta({ id: 'WhatIfFigures' });

const comparisonShape = {
  decisions: z.number().int(),
  changed: z.number().int().describe('Decisions whose allocation (location, SKU, units) changes'),
  shareChanged: z.number(),
  before: figuresSchema,
  after: figuresSchema,
  delta: figuresSchema,
};

const changeSchema = z
  .object({
    orderId: z.string(),
    attempt: z.number().int(),
    decidedAt: z.string(),
    before: decisionSummarySchema,
    after: decisionSummarySchema,
    delta: z.object({ cost: z.number(), parcels: z.number(), co2Kg: z.number(), days: z.number(), unfilled: z.number() }),
    explanation: z.array(z.string()),
  })
  .meta({ id: 'SimulationChange' });

export const simulationResultSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    candidateVersion: z.number().int(),
    currentVersion: z.number().int(),
    recorded: z.number().int().describe('Decisions recorded in the period, before the filter'),
    comparison: z.object(comparisonShape),
    decidedUnder: z.record(z.string(), z.number()),
    decidedWithoutProof: z.number().int(),
    notReplayable: z.number().int().describe('Decisions whose input was too large to record, left out'),
    biggestChanges: z.array(changeSchema),
    replayMs: z.number(),
    replayedPerSecond: z.number(),
  })
  .meta({ id: 'SimulationResult' });

export const shadowRulesViewSchema = z
  .object({ rules: routingRulesSchema, scope: scopeSchema, installedAt: z.string() })
  .meta({ id: 'ShadowRules' });

export const shadowKpisSchema = z
  .object({ from: z.string(), to: z.string(), ...comparisonShape, shadowedUnder: z.record(z.string(), z.number()), truncated: z.boolean() })
  .meta({ id: 'ShadowKpis' });
