/**
 * PF9 Ops restore frontend plugin.
 *
 * @packageDocumentation
 */
export { pf9RestorePlugin as default } from './plugin';
