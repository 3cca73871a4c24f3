export { MemoryDepartureStore } from './memory-departure-store';
export { SqliteDepartureStore } from './sqlite-departure-store';
export { encodeDeparture, decodeDeparture } from './codec';
export { approveTransition, cancelTransition, attemptTransition, threadTransition, departureQueries } from '../../domain/departure-lifecycle';
