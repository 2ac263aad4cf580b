// Hello-world fastify service for bench/instrument (PORT from env, prints "listening").
const fastify = require('fastify')();
fastify.get('/', async () => 'hello');
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.stdout.write('listening\n'));
