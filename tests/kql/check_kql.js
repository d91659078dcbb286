#!/usr/bin/env node
// Parses and binds KQL queries with Microsoft's Kusto language service
// (@kusto/language-service-next, the parser behind Kusto Explorer and the
// Azure Data Explorer web UI) against the Defender XDR advanced hunting
// tables in defender_schema.txt, or the tables of the --schema files given
// (several: one database with all their tables).
//
//   node check_kql.js [--schema FILE]... [--quiet] FILE...     ("-" reads stdin)
//
// Each FILE holds queries as `sigcc convert -t kql` writes them: one query
// per block, blocks separated by an empty line (a query never contains one:
// string literals write newlines as \n). Every diagnostic of severity Error
// -- syntax, unknown table, column or function, wrong argument type -- and
// every comparison of a string with a number (below) is printed with the query's file, number and text; the exit status is 1 if
// there was one, 2 on a usage or schema error. The last line counts them.
'use strict';

const fs = require('fs');
const path = require('path');

const SERVICE = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');

function loadKusto() {
    // The package is Bridge.NET output: bridge.js defines the runtime as a
    // global, then the assembly defines the global Kusto namespace.
    try {
        require(path.join(SERVICE, 'bridge.min.js'));
        require(path.join(SERVICE, 'Kusto.Language.Bridge.min.js'));
    } catch (err) {
        fail(`cannot load the Kusto language service (${err.message}); ` +
             'run scripts/install-deps.sh (npm ci in tests/kql)');
    }
    return global.Kusto.Language;
}

function fail(message) {
    process.stderr.write(`check_kql: ${message}\n`);
    process.exit(2);
}

// defender_schema.txt: "Table (Column:type, Column:type, ...)" per line,
// '#' comments. An unknown type name is an error, not a silent 'dynamic'.
function readTables(K, file) {
    const S = K.Symbols;
    const tables = [];
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
        line = line.trim();
        if (line === '' || line.startsWith('#'))
            return;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)$/.exec(line);
        if (!m)
            fail(`${file}:${i + 1}: expected 'Table (Column:type, ...)'`);
        const columns = m[2].split(',').map((spec) => {
            const [name, type, extra] = spec.trim().split(':');
            const symbol = type && extra === undefined ? S.ScalarTypes.GetSymbol(type) : null;
            if (!name || !symbol)
                fail(`${file}:${i + 1}: bad column '${spec.trim()}' in ${m[1]}`);
            return new S.ColumnSymbol(name, symbol, null, null, null, null);
        });
        tables.push(new S.TableSymbol.$ctor4(m[1], columns));
    });
    if (tables.length === 0)
        fail(`${file}: no table`);
    return tables;
}

// The tables of every schema file, as one database; a table declared twice
// is an error.
function readSchema(K, files) {
    const tables = [];
    for (const file of files)
        for (const table of readTables(K, file)) {
            if (tables.some((t) => t.Name === table.Name))
                fail(`${file}: table ${table.Name} is declared twice`);
            tables.push(table);
        }
    const database = new K.Symbols.DatabaseSymbol.$ctor1('DefenderXDR', tables, false);
    return { globals: K.GlobalState.Default.WithDatabase(database), tables: tables.length };
}

// The queries of one file: [{line, text}], split at empty lines.
function readQueries(file) {
    const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    const queries = [];
    let block = [], start = 0;
    text.split('\n').forEach((line, i) => {
        if (line.trim() === '') {
            if (block.length)
                queries.push({ line: start + 1, text: block.join('\n') });
            block = [];
        } else {
            if (!block.length)
                start = i;
            block.push(line);
        }
    });
    if (block.length)
        queries.push({ line: start + 1, text: block.join('\n') });
    return queries;
}

function list(readOnlyList) {
    const items = [];
    for (let i = 0; i < readOnlyList.Count; i++)
        items.push(readOnlyList.getItem(i));
    return items;
}

// Kusto does not convert between a string and a number in a comparison (an
// error, or never a match), but the language service lets `StringColumn == 4`
// and `StringColumn in (1, 2)` pass: checked here.
function typeClass(type) {
    const name = type ? type.Name : null;
    if (['int', 'long', 'real', 'decimal'].includes(name))
        return 'number';
    return ['string', 'bool', 'datetime', 'timespan', 'guid'].includes(name) ? name : null;
}

function comparisonErrors(K, code) {
    const SK = K.Syntax.SyntaxKind;
    const binary = [SK.EqualExpression, SK.NotEqualExpression, SK.LessThanExpression,
                    SK.LessThanOrEqualExpression, SK.GreaterThanExpression,
                    SK.GreaterThanOrEqualExpression];
    const sets = [SK.InExpression, SK.InCsExpression, SK.NotInExpression, SK.NotInCsExpression];
    const errors = [];
    const check = (node, left, right) => {
        const a = typeClass(left.ResultType), b = typeClass(right.ResultType);
        if (a && b && a !== b)
            errors.push({ code: 'compare', start: node.TextStart, length: node.Width,
                          message: `a ${left.ResultType.Name} compared with a ` +
                                   `${right.ResultType.Name} (Kusto does not convert between them)` });
    };
    code.Syntax.WalkElements((node) => {
        if (binary.includes(node.Kind)) {
            check(node, node.Left, node.Right);
        } else if (sets.includes(node.Kind)) {
            const items = node.Right.Expressions;
            for (let i = 0; i < items.Count; i++)
                check(node, node.Left, items.getItem(i).Element);
        }
    });
    return errors;
}

// The errors of one query; a query that is no tabular expression (a bare
// scalar, a let without a result) counts as an error too.
function queryErrors(K, globals, text) {
    const code = K.KustoCode.ParseAndAnalyze(text, globals);
    const errors = list(code.GetDiagnostics())
        .filter((d) => d.Severity === 'Error')
        .map((d) => ({ code: d.Code, message: d.Message, start: d.Start, length: d.Length }));
    if (errors.length === 0 && !(code.ResultType instanceof K.Symbols.TableSymbol))
        errors.push({ code: 'tabular', message: 'the query does not produce a table',
                      start: 0, length: 0 });
    if (errors.length === 0)
        errors.push(...comparisonErrors(K, code));
    return errors;
}

function excerpt(text, start, length) {
    const from = Math.max(0, start - 30), to = Math.min(text.length, start + length + 30);
    return (from > 0 ? '...' : '') + text.slice(from, start) + '>>>' +
           text.slice(start, start + length) + '<<<' + text.slice(start + length, to) +
           (to < text.length ? '...' : '');
}

function main(argv) {
    const schemas = [];
    let quiet = false;
    const files = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--schema' && i + 1 < argv.length)
            schemas.push(argv[++i]);
        else if (argv[i] === '--quiet')
            quiet = true;
        else if (argv[i].startsWith('--'))
            fail(`unknown option ${argv[i]}`);
        else
            files.push(argv[i]);
    }
    if (files.length === 0)
        fail('usage: check_kql.js [--schema FILE]... [--quiet] FILE...');
    if (schemas.length === 0)
        schemas.push(path.join(__dirname, 'defender_schema.txt'));

    const K = loadKusto();
    const { globals, tables } = readSchema(K, schemas);
    let checked = 0, bad = 0, errors = 0;
    for (const file of files) {
        const queries = readQueries(file);
        queries.forEach((q, index) => {
            const found = queryErrors(K, globals, q.text);
            checked++;
            if (found.length === 0)
                return;
            bad++;
            errors += found.length;
            console.log(`${file}:${q.line}: query ${index + 1}: ${found.length} error(s)`);
            for (const e of found)
                console.log(`  ${e.code}: ${e.message}\n    at ${excerpt(q.text, e.start, e.length)}`);
            console.log(q.text.replace(/^/gm, '    | '));
        });
        if (!quiet)
            console.log(`${file}: ${queries.length} queries`);
    }
    console.log(`kql parse+bind (${tables} tables): ${checked} queries, ` +
                `${errors} errors in ${bad} queries`);
    return bad === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
