/* eslint-disable no-console */
import { SCENARIOS, ScenarioName } from './scenario';
import { Simulator, startSimulator } from './simulator';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find(a => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}

/**
 * The admin user gets the admin role in every project, as an MSP's operator account usually has: the
 * product's project-scoped admin sessions (snapshots, restore) then work on the demo cloud.
 */
function grantAdminEverywhere(sim: Simulator) {
  const st = sim.state;
  const adminRole = st.roles.all().find(r => r.name === 'admin');
  if (!adminRole) return;
  for (const project of st.projects.all()) {
    const granted = st.roleAssignments.some(
      a =>
        a.actorId === st.adminUserId &&
        a.roleId === adminRole.id &&
        a.scope?.project === project.id,
    );
    if (granted) continue;
    st.roleAssignments.push({
      actorType: 'user',
      actorId: st.adminUserId,
      roleId: adminRole.id,
      scope: { project: project.id },
    });
  }
}

async function main() {
  if (process.argv.includes('--help')) {
    console.log(
      'openstack-sim [--scenario tiny|small|medium|large|xl] [--seed N] [--port N] [--host 127.0.0.1] [--token-ttl SECONDS] [--transition-ms MS] [--admin-in-every-project]',
    );
    return;
  }
  const scenario = arg('scenario', 'medium') as ScenarioName;
  if (!SCENARIOS[scenario]) throw new Error(`unknown scenario ${scenario}`);
  const sim = await startSimulator({
    scenario,
    seed: Number(arg('seed', '1')),
    port: Number(arg('port', '5050')),
    host: arg('host', '127.0.0.1'),
    tokenTtlSeconds: Number(arg('token-ttl', '3600')),
    transitionMs: Number(arg('transition-ms', '1000')),
  });
  if (process.argv.includes('--admin-in-every-project')) {
    grantAdminEverywhere(sim);
  }
  console.log(
    `openstack-sim: scenario ${scenario} (${sim.state.totalResources()} resources, built in ${
      sim.buildMs
    } ms); admin/demo-admin (domain Default, project admin)`,
  );
  console.log(`OPENSTACK_SIM_READY url=${sim.authUrl}`);
  const stop = () => {
    sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
