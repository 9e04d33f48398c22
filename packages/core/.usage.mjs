import ts from 'typescript';
import fs from 'node:fs';
import path from 'node:path';
const files = fs.readFileSync(0,'utf8').trim().split('\n');
const use = new Map();
for (const f of files) {
  const text = fs.readFileSync(f,'utf8');
  const sf = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true, f.endsWith('x')?ts.ScriptKind.TSX:ts.ScriptKind.TS);
  const pkg = f.split('/').slice(1,3).join('/');
  const visit = (n) => {
    if ((ts.isImportDeclaration(n)||ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) && n.moduleSpecifier.text==='@sessions/core') {
      const els = ts.isImportDeclaration(n) ? n.importClause?.namedBindings?.elements : n.exportClause?.elements;
      if (!els) console.error('NONAMED', f, n.getText());
      for (const e of els ?? []) { const name=(e.propertyName??e.name).text; if(!use.has(name)) use.set(name,new Set()); use.get(name).add(pkg); }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
for (const [k,v] of [...use].sort()) console.log(k.padEnd(28), [...v].join(' '));
