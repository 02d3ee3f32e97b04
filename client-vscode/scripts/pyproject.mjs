// Reads `[project] dependencies` from a pyproject.toml without a TOML library: the build
// pins the bundled libraries to the same ranges the Python package declares.

/** The strings of the `dependencies` array in the `[project]` table. */
export function projectDependencies(toml) {
  const table = tableBody(toml, 'project');
  const match = /^dependencies\s*=\s*\[/m.exec(table);
  if (!match) throw new Error('pyproject.toml: [project] has no dependencies array');
  return stringsUntilBracket(table, match.index + match[0].length);
}

function tableBody(toml, name) {
  const header = new RegExp(`^\\[${name}\\]\\s*$`, 'm').exec(toml);
  if (!header) throw new Error(`pyproject.toml: no [${name}] table`);
  const rest = toml.slice(header.index + header[0].length);
  const next = /^\[/m.exec(rest); // the next table header ends this one
  return next ? rest.slice(0, next.index) : rest;
}

// Quoted strings may hold brackets ("pkg[extra]"), so scan rather than match up to "]".
function stringsUntilBracket(text, start) {
  const strings = [];
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === ']') return strings;
    if (c === '#') i = lineEnd(text, i);
    else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) break;
      strings.push(text.slice(i + 1, close));
      i = close + 1;
    } else i += 1;
  }
  throw new Error('pyproject.toml: unterminated dependencies array');
}

function lineEnd(text, i) {
  const end = text.indexOf('\n', i);
  return end < 0 ? text.length : end;
}
