export { LEVELS, LEVEL_NAMES, levelName } from './destination.js';
export type { Destination, DestinationStats, LevelName } from './destination.js';
