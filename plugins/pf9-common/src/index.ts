/**
 * Isomorphic PF9 code: permissions, roles, API types and the typed REST client.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './roles';
export * from './inventory';
export * from './api';
export * from './restore';
export * from './client';
