import t from 'tap';
import { LiteralError, intLiteral, jsons, textLiteral, uuidLiteral } from '../../src/db/sql-literals.js';

t.test('literals', async (t) => {
  t.equal(textLiteral("it's"), "'it''s'", 'quotes are doubled');
  t.equal(textLiteral('a\\b'), "'a\\b'", 'backslashes stay as they are (standard_conforming_strings is on)');
  t.throws(() => textLiteral('a\u0000b'), LiteralError, 'NUL would end the statement text');
  t.throws(() => intLiteral(1.5), LiteralError);
  t.throws(() => intLiteral(2 ** 53), LiteralError);
  t.throws(() => uuidLiteral("x'; DROP TABLE events; --"), LiteralError);
  t.equal(
    jsons([{ title: "O'Brien's \u0000 lamp" }]),
    `ARRAY['{"title":"O''Brien''s \\u0000 lamp"}']::jsonb[]`,
    'JSON escapes control characters itself',
  );
});
