using System.Text.Json.Nodes;
using IotLabKit.Query.Evaluation;
using IotLabKit.Query.Expressions;

namespace IotLabKit.Query.Syntax;

/// <summary>
/// Recursive-descent parser for the IoT Hub query language. Precedence, loosest first: OR, AND, NOT,
/// comparison and IN/NIN (not chainable), + and -, * / and %, unary - and +. Recursion is bounded by
/// <see cref="QueryParser.MaxNestingDepth"/>, and operator chains are built flat, so no input can exhaust the stack.
/// </summary>
internal sealed class Parser
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "TOP", "FROM", "WHERE", "GROUP", "BY", "ORDER", "AS", "AND", "OR", "NOT", "IN", "NIN",
        "TRUE", "FALSE", "NULL", "UNDEFINED",
    };

    private readonly string _text;
    private readonly List<Token> _tokens;
    private QueryCollection _collection;
    private int _position;
    private int _depth;

    private Parser(string text)
    {
        _text = text;
        _tokens = Lexer.Tokenize(text);
    }

    private Token Current => _tokens[_position];

    private Token Previous => _tokens[Math.Max(0, _position - 1)];

    public static IotHubQuery ParseQuery(string? text)
    {
        text = CheckText(text, "query");
        var parser = new Parser(text);
        return parser.Query();
    }

    public static QueryCondition ParseCondition(string? text)
    {
        text = CheckText(text, "condition");
        var parser = new Parser(text);
        return parser.Condition();
    }

    private static string CheckText(string? text, string what)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw QuerySyntaxException.At(text ?? string.Empty, $"the {what} is empty", -1, null);
        }

        if (text.Length > QueryParser.MaxQueryLength)
        {
            throw QuerySyntaxException.At(
                text,
                $"the {what} is {text.Length} characters long; IoT Hub accepts at most {QueryParser.MaxQueryLength}",
                QueryParser.MaxQueryLength,
                null);
        }

        return text;
    }

    private IotHubQuery Query()
    {
        _collection = PrescanCollection();
        if (!Current.IsKeyword("SELECT"))
        {
            throw Expected("SELECT", " at the start of the query");
        }

        Advance();
        int? top = null;
        if (Current.IsKeyword("TOP"))
        {
            Advance();
            top = TopCount();
        }

        var selectsAll = false;
        var select = new List<(Expression Expression, string? Alias, int Offset)>();
        if (Current.Kind == TokenKind.Star)
        {
            selectsAll = true;
            Advance();
        }
        else
        {
            if (Current.Kind == TokenKind.End || (Current.Kind == TokenKind.Identifier && IsKeyword(Current) && !IsValueKeyword(Current)))
            {
                throw Expected("'*' or a select list", top is null ? " after SELECT" : " after TOP");
            }

            do
            {
                if (select.Count > 0)
                {
                    Advance();
                }

                select.Add(SelectElement());
            }
            while (Current.Kind == TokenKind.Comma);
        }

        if (!Current.IsKeyword("FROM"))
        {
            throw Expected("FROM", " after the select list");
        }

        Advance();
        var collection = Collection();

        Expression? where = null;
        var clause = " after the FROM clause";
        var expected = "WHERE, GROUP BY or the end of the query";
        if (Current.IsKeyword("WHERE"))
        {
            Advance();
            where = Expression();
            clause = " after the WHERE condition";
            expected = "AND, OR, GROUP BY or the end of the query";
        }

        var groupBy = new List<Expression>();
        if (Current.IsKeyword("GROUP"))
        {
            Advance();
            if (!Current.IsKeyword("BY"))
            {
                throw Expected("BY", " after GROUP");
            }

            do
            {
                Advance();
                groupBy.Add(Expression());
            }
            while (Current.Kind == TokenKind.Comma);

            clause = " after GROUP BY";
            expected = "',' or the end of the query";
        }

        if (Current.IsKeyword("ORDER"))
        {
            throw Semantic("ORDER BY is not supported by IoT Hub queries (results come in no particular order; sort them on the client)", Current);
        }

        if (Current.Kind != TokenKind.End)
        {
            throw Expected(expected, clause);
        }

        return Semantics.BuildQuery(_text, collection, top, selectsAll, select, where, groupBy);
    }

    private QueryCondition Condition()
    {
        _collection = QueryCollection.Devices;
        if (Current.Kind == TokenKind.Star && _tokens[_position + 1].Kind == TokenKind.End)
        {
            return new QueryCondition(_text, _collection, null);
        }

        if (Current.IsKeyword("FROM"))
        {
            Advance();
            _collection = Collection();
            if (Current.Kind == TokenKind.End)
            {
                return new QueryCondition(_text, _collection, null);
            }

            if (!Current.IsKeyword("WHERE"))
            {
                throw Expected("WHERE or the end of the condition", " after the FROM clause");
            }

            Advance();
        }

        var condition = Expression();
        if (Current.Kind != TokenKind.End)
        {
            throw Expected("AND, OR or the end of the condition", " after the condition");
        }

        Semantics.RejectAggregates(_text, condition, "a condition");
        return new QueryCondition(_text, _collection, condition);
    }

    /// <summary>Paths are resolved against the FROM collection, which comes after the select list; find it first.</summary>
    private QueryCollection PrescanCollection()
    {
        for (var i = 0; i + 1 < _tokens.Count; i++)
        {
            if (!_tokens[i].IsKeyword("FROM") || !_tokens[i + 1].IsKeyword("devices"))
            {
                continue;
            }

            if (i + 3 < _tokens.Count && _tokens[i + 2].Kind == TokenKind.Dot)
            {
                if (_tokens[i + 3].IsKeyword("modules")) return QueryCollection.DevicesModules;
                if (_tokens[i + 3].IsKeyword("jobs")) return QueryCollection.DevicesJobs;
            }

            return QueryCollection.Devices;
        }

        return QueryCollection.Devices;
    }

    private int TopCount()
    {
        var token = Current;
        if (token.Kind != TokenKind.Number)
        {
            throw Expected("a whole number", " after TOP");
        }

        if (token.Number != Math.Floor(token.Number) || token.Number > int.MaxValue)
        {
            throw QuerySyntaxException.At(_text, $"TOP needs a whole number from 0 to {int.MaxValue}", token.Offset, token.Text);
        }

        Advance();
        return (int)token.Number;
    }

    private (Expression Expression, string? Alias, int Offset) SelectElement()
    {
        var offset = Current.Offset;
        var expression = Expression();
        string? alias = null;
        if (Current.IsKeyword("AS"))
        {
            Advance();
            var name = Current;
            if (name.Kind == TokenKind.BracketedIdentifier || (name.Kind == TokenKind.Identifier && !IsKeyword(name)))
            {
                alias = name.Value;
                Advance();
            }
            else
            {
                throw Expected("a name", " after AS");
            }
        }

        return (expression, alias, offset);
    }

    private QueryCollection Collection()
    {
        const string expected = "a collection (devices, devices.modules or devices.jobs)";
        if (!Current.IsKeyword("devices"))
        {
            throw Expected(expected, " after FROM");
        }

        Advance();
        if (Current.Kind != TokenKind.Dot)
        {
            return QueryCollection.Devices;
        }

        Advance();
        if (Current.IsKeyword("modules"))
        {
            Advance();
            return QueryCollection.DevicesModules;
        }

        if (Current.IsKeyword("jobs"))
        {
            Advance();
            return QueryCollection.DevicesJobs;
        }

        throw Expected("modules or jobs", " after 'devices.'");
    }

    private Expression Expression()
    {
        Enter();
        var result = Or();
        _depth--;
        return result;
    }

    private Expression Or()
    {
        var offset = Current.Offset;
        var first = And();
        if (!Current.IsKeyword("OR"))
        {
            return first;
        }

        var operands = new List<Expression> { first };
        while (Current.IsKeyword("OR"))
        {
            Advance();
            operands.Add(And());
        }

        return new OrExpression(offset, [.. operands]);
    }

    private Expression And()
    {
        var offset = Current.Offset;
        var first = Not();
        if (!Current.IsKeyword("AND"))
        {
            return first;
        }

        var operands = new List<Expression> { first };
        while (Current.IsKeyword("AND"))
        {
            Advance();
            operands.Add(Not());
        }

        return new AndExpression(offset, [.. operands]);
    }

    private Expression Not()
    {
        if (!Current.IsKeyword("NOT"))
        {
            return Comparison();
        }

        var offset = Current.Offset;
        Advance();
        Enter();
        var operand = Not();
        _depth--;
        return new NotExpression(offset, operand);
    }

    private Expression Comparison()
    {
        var offset = Current.Offset;
        var left = Additive();
        ComparisonOperator? op = Current.Kind switch
        {
            TokenKind.Equal => ComparisonOperator.Equal,
            TokenKind.NotEqual => ComparisonOperator.NotEqual,
            TokenKind.Less => ComparisonOperator.Less,
            TokenKind.LessOrEqual => ComparisonOperator.LessOrEqual,
            TokenKind.Greater => ComparisonOperator.Greater,
            TokenKind.GreaterOrEqual => ComparisonOperator.GreaterOrEqual,
            _ => null,
        };
        if (op is { } comparison)
        {
            Advance();
            return new ComparisonExpression(offset, comparison, left, Additive());
        }

        if (Current.IsKeyword("IN"))
        {
            Advance();
            return new InExpression(offset, left, InList("IN"), negated: false);
        }

        if (Current.IsKeyword("NIN"))
        {
            Advance();
            return new InExpression(offset, left, InList("NIN"), negated: true);
        }

        if (Current.IsKeyword("NOT") && _tokens[_position + 1].IsKeyword("IN"))
        {
            Advance();
            Advance();
            return new InExpression(offset, left, InList("NOT IN"), negated: true);
        }

        return left;
    }

    private Value[] InList(string keyword)
    {
        if (Current.Kind != TokenKind.OpenBracket)
        {
            throw Expected("an array constant such as ['a', 'b']", $" after {keyword}");
        }

        return ArrayConstant().Elements;
    }

    private Expression Additive()
    {
        var offset = Current.Offset;
        var first = Multiplicative();
        List<ArithmeticOperator>? operators = null;
        List<Expression>? operands = null;
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            (operators ??= []).Add(Current.Kind == TokenKind.Plus ? ArithmeticOperator.Add : ArithmeticOperator.Subtract);
            Advance();
            (operands ??= []).Add(Multiplicative());
        }

        return operators is null ? first : new ArithmeticExpression(offset, first, [.. operators], [.. operands!]);
    }

    private Expression Multiplicative()
    {
        var offset = Current.Offset;
        var first = Unary();
        List<ArithmeticOperator>? operators = null;
        List<Expression>? operands = null;
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            (operators ??= []).Add(Current.Kind switch
            {
                TokenKind.Star => ArithmeticOperator.Multiply,
                TokenKind.Slash => ArithmeticOperator.Divide,
                _ => ArithmeticOperator.Modulo,
            });
            Advance();
            (operands ??= []).Add(Unary());
        }

        return operators is null ? first : new ArithmeticExpression(offset, first, [.. operators], [.. operands!]);
    }

    private Expression Unary()
    {
        if (Current.Kind is not (TokenKind.Minus or TokenKind.Plus))
        {
            return Primary();
        }

        var offset = Current.Offset;
        var negate = Current.Kind == TokenKind.Minus;
        Advance();
        Enter();
        var operand = Unary();
        _depth--;

        // Fold signed number literals so -1 is a constant (array constants accept only constants).
        if (operand is ConstantExpression { Value.Kind: ValueKind.Number } constant)
        {
            return new ConstantExpression(offset, negate ? Operators.Negate(constant.Value) : constant.Value);
        }

        return negate
            ? new NegateExpression(offset, operand)
            : new ArithmeticExpression(offset, new ConstantExpression(offset, Value.FromNumber(0)), [ArithmeticOperator.Add], [operand]);
    }

    private Expression Primary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new ConstantExpression(token.Offset, Value.FromNumber(token.Number));
            case TokenKind.String:
                Advance();
                return new ConstantExpression(token.Offset, Value.FromString(token.Value));
            case TokenKind.OpenBracket:
                return ArrayConstant();
            case TokenKind.OpenParen:
                Advance();
                var inner = Expression();
                if (Current.Kind != TokenKind.CloseParen)
                {
                    throw Expected("')'", $" to close the '(' at position {token.Offset + 1}");
                }

                Advance();
                return inner;
            case TokenKind.BracketedIdentifier:
                return Path();
            case TokenKind.Identifier:
                if (token.IsKeyword("TRUE") || token.IsKeyword("FALSE") || token.IsKeyword("NULL") || token.IsKeyword("UNDEFINED"))
                {
                    Advance();
                    var literal = token.Text.ToUpperInvariant() switch
                    {
                        "TRUE" => Value.True,
                        "FALSE" => Value.False,
                        "NULL" => Value.Null,
                        _ => Value.Undefined,
                    };
                    return new ConstantExpression(token.Offset, literal);
                }

                if (IsKeyword(token))
                {
                    throw ExpectedValue(token);
                }

                return _tokens[_position + 1].Kind == TokenKind.OpenParen ? FunctionCall() : Path();
            default:
                throw ExpectedValue(token);
        }
    }

    private QuerySyntaxException ExpectedValue(Token token)
    {
        var context = _position == 0 ? string.Empty : $" after '{Previous.Text}'";
        if (token.Kind == TokenKind.Identifier && IsKeyword(token) && !IsClauseKeyword(token))
        {
            return QuerySyntaxException.At(
                _text,
                $"'{token.Text}' is a reserved word; to use it as a property name write [[{token.Text}]]",
                token.Offset,
                token.Text);
        }

        return Expected("a value, property path or function call", context);
    }

    private ConstantExpression ArrayConstant()
    {
        var open = Current;
        Advance();
        Enter();
        var elements = new List<Value>();
        if (Current.Kind != TokenKind.CloseBracket)
        {
            while (true)
            {
                var element = Expression();
                if (element is not ConstantExpression constant)
                {
                    throw QuerySemanticException.At(
                        _text,
                        "an array constant may hold only literals (strings, numbers, true, false, null, arrays)",
                        element.Offset,
                        element.ToString());
                }

                elements.Add(constant.Value);
                if (Current.Kind == TokenKind.Comma)
                {
                    Advance();
                    continue;
                }

                if (Current.Kind == TokenKind.CloseBracket)
                {
                    break;
                }

                throw Expected("',' or ']'", $" in the array constant opened at position {open.Offset + 1}");
            }
        }

        Advance();
        _depth--;
        var json = new JsonArray();
        foreach (var element in elements)
        {
            json.Add(element.ToNode());
        }

        return new ConstantExpression(open.Offset, Value.FromElement(CompactJson.FromNode(json)), [.. elements]);
    }

    private Expression FunctionCall()
    {
        var name = Current;
        Advance(); // the name
        Advance(); // the '('
        var upper = name.Text.ToUpperInvariant();
        AggregateKind? aggregate = upper switch
        {
            "COUNT" => AggregateKind.Count,
            "SUM" => AggregateKind.Sum,
            "AVG" => AggregateKind.Avg,
            "MIN" => AggregateKind.Min,
            "MAX" => AggregateKind.Max,
            _ => null,
        };

        FunctionDefinition? function = null;
        if (aggregate is null)
        {
            if (Functions.IsRejected(name.Text, out var replacement))
            {
                throw Semantic($"{upper} is not supported in twin and job queries; IoT Hub spells it {replacement}", name);
            }

            if (!Functions.TryGet(name.Text, out function))
            {
                throw Semantic($"unknown function '{name.Text}' (supported: COUNT, SUM, AVG, MIN, MAX, {string.Join(", ", Functions.Names)})", name);
            }
        }

        var arguments = new List<Expression>();
        if (aggregate == AggregateKind.Count && Current.Kind == TokenKind.Star && _tokens[_position + 1].Kind == TokenKind.CloseParen)
        {
            Advance(); // COUNT(*) means COUNT()
        }
        else if (Current.Kind != TokenKind.CloseParen)
        {
            while (true)
            {
                arguments.Add(Expression());
                if (Current.Kind == TokenKind.Comma)
                {
                    Advance();
                    continue;
                }

                if (Current.Kind == TokenKind.CloseParen)
                {
                    break;
                }

                throw Expected("',' or ')'", $" in the arguments of {upper}");
            }
        }

        Advance(); // the ')'
        if (aggregate is { } kind)
        {
            var (min, max) = kind == AggregateKind.Count ? (0, 1) : (1, 1);
            CheckArity(name, upper, arguments.Count, min, max);
            return new AggregateExpression(name.Offset, kind, arguments.Count == 0 ? null : arguments[0]);
        }

        CheckArity(name, function!.Name, arguments.Count, function.MinArguments, function.MaxArguments);
        return new FunctionCallExpression(name.Offset, function, [.. arguments]);
    }

    private void CheckArity(Token name, string display, int count, int min, int max)
    {
        if (count >= min && count <= max)
        {
            return;
        }

        var wanted = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} or {max}";
        var noun = min == 1 && max == 1 ? "argument" : "arguments";
        throw Semantic($"{display} takes {wanted} {noun}, found {count}", name);
    }

    private Expression Path()
    {
        var offset = Current.Offset;
        var segments = new List<(string Name, bool Bracketed)>();
        while (true)
        {
            var token = Current;
            if (token.Kind == TokenKind.BracketedIdentifier)
            {
                segments.Add((token.Value, true));
            }
            else if (token.Kind == TokenKind.Identifier && !IsKeyword(token))
            {
                segments.Add((token.Value, false));
            }
            else if (token.Kind == TokenKind.Identifier)
            {
                throw QuerySyntaxException.At(
                    _text,
                    $"'{token.Text}' is a reserved word; to use it as a property name write [[{token.Text}]]",
                    token.Offset,
                    token.Text);
            }
            else
            {
                throw Expected("a property name", " after '.'");
            }

            Advance();
            if (Current.Kind != TokenKind.Dot)
            {
                break;
            }

            Advance();
        }

        return new PathExpression(offset, Bind(segments));
    }

    /// <summary>
    /// Resolves a path against the FROM collection once, at parse time: drops the collection prefix
    /// (<c>devices.</c>, <c>devices.modules.</c>, <c>devices.jobs.</c>) and gives a root identity name its canonical case.
    /// </summary>
    private string[] Bind(List<(string Name, bool Bracketed)> segments)
    {
        static bool Is((string Name, bool Bracketed) segment, string name)
            => !segment.Bracketed && string.Equals(segment.Name, name, StringComparison.OrdinalIgnoreCase);

        var skip = 0;
        if (segments.Count > 1 && Is(segments[0], "devices"))
        {
            skip = 1;
            var qualifier = _collection switch
            {
                QueryCollection.DevicesModules => "modules",
                QueryCollection.DevicesJobs => "jobs",
                _ => null,
            };
            if (qualifier is not null && segments.Count > 2 && Is(segments[1], qualifier))
            {
                skip = 2;
            }
        }

        var result = new string[segments.Count - skip];
        for (var i = 0; i < result.Length; i++)
        {
            var segment = segments[i + skip];
            result[i] = i == 0 && !segment.Bracketed ? RootNames.Canonicalize(segment.Name) : segment.Name;
        }

        return result;
    }

    private void Advance()
    {
        if (_position < _tokens.Count - 1)
        {
            _position++;
        }
    }

    /// <summary>Counts one more level of nesting; called just after the token that opens it (so the error points there).</summary>
    private void Enter()
    {
        if (++_depth > QueryParser.MaxNestingDepth)
        {
            throw QuerySyntaxException.At(
                _text,
                $"the expression is nested too deeply (at most {QueryParser.MaxNestingDepth} levels of parentheses, NOT, signs, function calls and arrays)",
                Previous.Offset,
                Previous.Display);
        }
    }

    private static bool IsKeyword(Token token) => token.Kind == TokenKind.Identifier && Keywords.Contains(token.Text);

    private static bool IsValueKeyword(Token token)
        => token.IsKeyword("TRUE") || token.IsKeyword("FALSE") || token.IsKeyword("NULL") || token.IsKeyword("UNDEFINED") || token.IsKeyword("NOT");

    /// <summary>Keywords that end an expression; finding one where a value belongs means a missing value, not a property named like it.</summary>
    private static bool IsClauseKeyword(Token token)
        => token.IsKeyword("FROM") || token.IsKeyword("WHERE") || token.IsKeyword("GROUP") || token.IsKeyword("ORDER")
           || token.IsKeyword("AND") || token.IsKeyword("OR") || token.IsKeyword("AS") || token.IsKeyword("SELECT");

    private QuerySyntaxException Expected(string expected, string context)
        => QuerySyntaxException.ExpectedButFound(_text, expected, context, Current.Offset, Current.Display);

    private QuerySemanticException Semantic(string problem, Token token)
        => QuerySemanticException.At(_text, problem, token.Offset, token.Display);
}
