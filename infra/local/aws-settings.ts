import { useLocalAwsSettings } from './cloud-settings.ts';

// Imported first by the local entry points: ESM evaluates imports in order, so the AWS SDK settings are in place
// before any module creates a client at its top level.
useLocalAwsSettings();
