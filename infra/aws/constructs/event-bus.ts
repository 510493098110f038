import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../topology.ts';

export interface DomEventBusProps {
  /** How long published events stay replayable. */
  readonly archiveRetention?: Duration;
}

/** The DOM's own bus, with an archive of everything the DOM publishes so consumers can be replayed after a fix. */
export class DomEventBus extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: DomEventBusProps = {}) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus');
    const archive = this.bus.archive('Archive', {
      description: 'Every event the DOM publishes, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(90),
    });
    // The archive is the replayable history of the domain: keep it (and the bus it belongs to) if the stack goes.
    this.bus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    archive.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
