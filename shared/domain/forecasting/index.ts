// Demand forecasting and reorder points: the public surface (docs/forecasting.md).
export { dayOfWeek, formatIsoDay, parseIsoDay } from './calendar.ts';
export { classifyDemand, patternStats, type DemandPattern, type PatternStats } from './demand-pattern.ts';
export { candidateName, forecastPanel, type ForecastOptions, type ForecastReport, type PanelForecast } from './engine.ts';
export {
  formatForecastCsv,
  formatPolicyCsv,
  HistoryFormatError,
  parseHistoryCsv,
  type DemandPanel,
  type DemandSeries,
  type PolicyRow,
} from './history.ts';
export { countQuantile, normalQuantile } from './lead-time-demand.ts';
export { reorderPoints, type LeadTimeBacktest, type ReorderPointInput, type ReorderPointResult } from './reorder-point.ts';
