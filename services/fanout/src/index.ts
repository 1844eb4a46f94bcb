export { startFanout } from './fanout.js';
export { FANOUT_GROUP, startFanoutService } from './main.js';
