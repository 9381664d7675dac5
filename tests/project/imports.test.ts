/**
 * No import cycles in scripts/ or schemas/ (type-only imports included: a cycle of types is still
 * a tangle to read). Imports are read with the TypeScript compiler's parser, so every form counts:
 * `import`, `export … from`, `import type` and `import('…')` with a literal.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import ts from 'typescript'
import {expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : /\.tsx?$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  )
}

/** The project files `file` imports. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const specs: string[] = []
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments
      if (arg && ts.isStringLiteral(arg)) specs.push(arg.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s))
    .filter(existsSync)
}

/** Every cycle as the list of files on it (Tarjan's strongly connected components). */
function cycles(files: readonly string[]): string[][] {
  const edges = new Map(files.map((f) => [f, importsOf(f)]))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[][] = []
  const connect = (f: string) => {
    index.set(f, index.size)
    low.set(f, index.get(f)!)
    stack.push(f)
    for (const to of edges.get(f) ?? []) {
      if (!edges.has(to)) continue
      if (!index.has(to)) {
        connect(to)
        low.set(f, Math.min(low.get(f)!, low.get(to)!))
      } else if (stack.includes(to)) low.set(f, Math.min(low.get(f)!, index.get(to)!))
    }
    if (low.get(f) === index.get(f)) {
      const group: string[] = []
      let g: string
      do group.push((g = stack.pop()!))
      while (g !== f)
      if (group.length > 1 || edges.get(f)!.includes(f)) found.push(group)
    }
  }
  for (const f of files) if (!index.has(f)) connect(f)
  return found
}

it('scripts/ and schemas/ have no import cycles', () => {
  const files = [...sources(join(ROOT, 'scripts')), ...sources(join(ROOT, 'schemas'))]
  expect(files.length).toBeGreaterThan(100)
  expect(cycles(files).map((group) => group.map((f) => relative(ROOT, f)).sort())).toEqual([])
})

it('finds a cycle when there is one', () => {
  const dir = join(ROOT, 'tests', 'fixtures', 'project', 'cycle')
  expect(cycles(sources(dir)).map((group) => group.map((f) => relative(dir, f)).sort())).toEqual([
    ['a.ts', 'b.ts'],
  ])
})
