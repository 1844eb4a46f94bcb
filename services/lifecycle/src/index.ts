export { defineLifecycle, type Lifecycle, type Refusal, type Transitions } from './lifecycle.js';
