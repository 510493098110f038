/**
 * A response body that is already JSON text. GetRecords pages are assembled from records serialised once, when they
 * were committed, instead of serialising the same record again for every reader.
 */
export class RawJson {
  constructor(readonly text: string) {}
}
