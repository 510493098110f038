import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addDomStacks, stageOf } from '../dom-app.ts';

const app = new App();
addDomStacks(app, {
  stage: stageOf(app),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// cdk-nag 3 is a policy validation plugin (the Aspects form of v2 crashes); findings are acknowledged in the stacks.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
