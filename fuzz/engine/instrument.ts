/**
 * Source instrumentation as a TypeScript transformer (run by `transpileModule`, so a covered file
 * is compiled and instrumented in one pass): a {@link hit} call opens every branch target (both
 * arms of `if` and `?:`, the right side of `&&`/`||`/`??`, loop bodies, `case` clauses, `catch`
 * blocks, function bodies), and every `===`/`!==` goes through {@link compare}.
 *
 * Block ids come from the file's path and the block's order in it, so a run is reproducible.
 */
import * as ts from 'typescript';
import { COMPARE_GLOBAL, HIT_GLOBAL, MAP_SIZE } from './coverage';

const HIT = '__fuzzHit';
const COMPARE = '__fuzzCompare';

/** A well-mixed 32-bit hash (FNV-1a then murmur3's finaliser). */
function mix(text: string, n: number): number {
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Whether `node` is a constant as far as compare tracing goes: a literal, `Enum.Member`, `ALL_CAPS`. */
function isConstant(node: ts.Expression): boolean {
  if (ts.isNumericLiteral(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
  if (ts.isPrefixUnaryExpression(node)) return isConstant(node.operand);
  if (ts.isIdentifier(node)) return /^[A-Z][A-Z0-9_]+$/.test(node.text);
  return ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && /^[A-Z]/.test(node.expression.text);
}

/** The transformer for the file `name` (a path from the repository root). */
export function instrumenter(name: string): ts.TransformerFactory<ts.SourceFile> {
  let blocks = 0;
  return (context) => {
    const f = context.factory;
    const hitCall = (): ts.Expression =>
      f.createCallExpression(f.createIdentifier(HIT), undefined, [f.createNumericLiteral(mix(name, blocks++) % MAP_SIZE)]);
    const hitStatement = (): ts.Statement => f.createExpressionStatement(hitCall());
    const open = (statement: ts.Statement | undefined): ts.Block => {
      const rest = statement === undefined ? [] : ts.isBlock(statement) ? statement.statements : [statement];
      return f.createBlock([hitStatement(), ...rest], true);
    };
    const openExpression = (expression: ts.Expression): ts.Expression =>
      f.createParenthesizedExpression(f.createComma(hitCall(), expression));

    const visit = (node: ts.Node): ts.Node => {
      node = ts.visitEachChild(node, visit, context);
      if (ts.isIfStatement(node)) {
        return f.updateIfStatement(node, node.expression, open(node.thenStatement), open(node.elseStatement));
      }
      if (ts.isConditionalExpression(node)) {
        return f.updateConditionalExpression(
          node,
          node.condition,
          node.questionToken,
          openExpression(node.whenTrue),
          node.colonToken,
          openExpression(node.whenFalse),
        );
      }
      if (ts.isBinaryExpression(node)) {
        const op = node.operatorToken.kind;
        if (
          op === ts.SyntaxKind.AmpersandAmpersandToken ||
          op === ts.SyntaxKind.BarBarToken ||
          op === ts.SyntaxKind.QuestionQuestionToken
        ) {
          return f.updateBinaryExpression(node, node.left, node.operatorToken, openExpression(node.right));
        }
        if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken) {
          const negate = op === ts.SyntaxKind.ExclamationEqualsEqualsToken ? f.createTrue() : f.createFalse();
          const constants = (isConstant(node.left) ? 1 : 0) | (isConstant(node.right) ? 2 : 0);
          if (constants === 0) return node;
          return f.createCallExpression(f.createIdentifier(COMPARE), undefined, [
            node.left,
            node.right,
            negate,
            f.createNumericLiteral(constants),
          ]);
        }
        return node;
      }
      if (ts.isIterationStatement(node, false)) {
        const body = node.statement;
        const opened = open(body);
        return ts.visitEachChild(node, (child) => (child === body ? opened : child), context);
      }
      if (ts.isCaseClause(node)) return f.updateCaseClause(node, node.expression, [hitStatement(), ...node.statements]);
      if (ts.isDefaultClause(node)) return f.updateDefaultClause(node, [hitStatement(), ...node.statements]);
      if (ts.isCatchClause(node)) return f.updateCatchClause(node, node.variableDeclaration, open(node.block));
      if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) {
        return f.updateArrowFunction(
          node,
          node.modifiers,
          node.typeParameters,
          node.parameters,
          node.type,
          node.equalsGreaterThanToken,
          openExpression(node.body),
        );
      }
      // Function bodies; not constructors, where a call may not come before `super()`.
      if (ts.isFunctionLike(node) && !ts.isConstructorDeclaration(node) && 'body' in node && node.body && ts.isBlock(node.body)) {
        const body = node.body;
        const opened = f.updateBlock(body, [hitStatement(), ...body.statements]);
        return ts.visitEachChild(node, (child) => (child === body ? opened : child), context);
      }
      return node;
    };

    return (file) => {
      const visited = ts.visitEachChild(file, visit, context);
      // Bind the engine's functions once per module, so the hot path reads a local.
      const bind = (local: string, global: string): ts.Statement =>
        f.createVariableStatement(
          undefined,
          f.createVariableDeclarationList(
            [
              f.createVariableDeclaration(
                local,
                undefined,
                undefined,
                f.createPropertyAccessExpression(f.createIdentifier('globalThis'), global),
              ),
            ],
            ts.NodeFlags.Const,
          ),
        );
      return f.updateSourceFile(visited, [bind(HIT, HIT_GLOBAL), bind(COMPARE, COMPARE_GLOBAL), ...visited.statements]);
    };
  };
}
