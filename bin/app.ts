#!/usr/bin/env node
// CDK entry point (`cdk synth`, `cdk deploy`; see cdk.json). The CLI synthesizes the app on exit.
import { createApp } from '../lib/app.ts';

createApp();
