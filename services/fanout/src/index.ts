export { startFanout } from './fanout.js';
export { startFanoutService } from './main.js';
