/**
 * The pf9 backend plugin and its modules.
 *
 * @packageDocumentation
 */
export { pf9Plugin as default } from './plugin';
export { pf9PermissionPolicyModule } from './permissions/policy';
export { Pf9PermissionPolicy } from './permissions/policy';
export { catalogModulePf9 } from './catalog/module';
export { searchModulePf9Collators } from './search/module';
