import { z } from 'zod';
import { defineEvent } from './envelope.ts';

export const TenantCreated = defineEvent(
  'TenantCreated',
  '1.0',
  'A merchant tenant was created; its onboarding workflow seeds its defaults.',
  z.object({ tenantId: z.string(), name: z.string() }),
);
