/**
 * Scaffolder actions for PF9 Ops.
 *
 * @packageDocumentation
 */
export { pf9ScaffolderActionsModule as default } from './module';
export { createAccessRoleAction } from './actions/accessRole';
export { createRestorePlanAction } from './actions/restorePlan';
export {
  createRestoreExecuteAction,
  type RestoreExecuteActionOptions,
} from './actions/restoreExecute';
export { Pf9ApiCaller } from './pf9Api';
