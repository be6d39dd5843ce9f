#!/usr/bin/env node
require('../dist/cli/instrument.cjs');
