// neon-migrate sets DATABASE_URL to the branch it runs on (and PGOPTIONS to its timeouts).
module.exports = {
  client: 'pg',
  connection: process.env.DATABASE_URL,
  migrations: { directory: './migrations' },
};
