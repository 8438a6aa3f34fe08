/** `GET /api/pf9/health`: what an operator or a load balancer may know, never a secret. */
export interface Pf9Health {
  status: 'ok';
  version: string;
  clouds: string[];
  database: 'sqlite' | 'postgres' | 'mysql';
}

/** `GET /api/pf9/access/me`: the caller's role and the permissions the default matrix gives it. */
export interface Pf9AccessMe {
  principal: string;
  role: string | null;
  permissions: string[];
}
