// Hello-world express service for bench/instrument (PORT from env, prints "listening").
const express = require('express');
const app = express();
app.get('/', (_req, res) => res.send('hello'));
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () =>
  process.stdout.write(`listening ${server.address().port}\n`),
);
