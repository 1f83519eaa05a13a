using IotLabKit.Query.Evaluation;
using IotLabKit.Query.Expressions;

namespace IotLabKit.Query.Syntax;

/// <summary>
/// The rules a well-formed query must still meet: where aggregates may appear, what each collection allows,
/// which SELECT elements a GROUP BY query may have, and unique result keys.
/// </summary>
internal static class Semantics
{
    public static IotHubQuery BuildQuery(
        string text,
        QueryCollection collection,
        int? top,
        bool selectsAll,
        List<(Expression Expression, string? Alias, int Offset)> select,
        Expression? where,
        List<Expression> groupBy)
    {
        if (where is not null)
        {
            RejectAggregates(text, where, "WHERE");
        }

        foreach (var key in groupBy)
        {
            RejectAggregates(text, key, "GROUP BY");
        }

        if (collection == QueryCollection.DevicesJobs)
        {
            if (!selectsAll)
            {
                throw Error(text, "FROM devices.jobs supports only SELECT * (no projections or aggregates)", select[0].Offset, select[0].Expression);
            }

            if (groupBy.Count > 0)
            {
                throw Error(text, "GROUP BY is not supported FROM devices.jobs", groupBy[0].Offset, groupBy[0]);
            }
        }

        if (collection == QueryCollection.DevicesModules && groupBy.Count > 0)
        {
            throw Error(text, "GROUP BY is supported only FROM devices (IoT Hub does not group module twins)", groupBy[0].Offset, groupBy[0]);
        }

        if (selectsAll && groupBy.Count > 0)
        {
            throw Error(text, "SELECT * cannot be used with GROUP BY; select the grouped properties and aggregates instead", groupBy[0].Offset, groupBy[0]);
        }

        var items = new List<SelectItem>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var unnamed = 0;
        foreach (var (expression, alias, offset) in select)
        {
            if (expression is AggregateExpression aggregate)
            {
                if (aggregate.Argument is not null)
                {
                    RejectAggregates(text, aggregate.Argument, "the argument of an aggregate");
                }
            }
            else
            {
                RejectAggregates(text, expression, "part of a SELECT element (an aggregate must be the whole element)");
            }

            var name = alias ?? (expression is PathExpression path ? path.OutputName : $"${++unnamed}");
            if (!names.Add(name))
            {
                throw Error(text, $"two SELECT elements are both named '{name}'; give them distinct names with AS", offset, expression);
            }

            var groupKeyIndex = -1;
            if (groupBy.Count > 0 && expression is not AggregateExpression)
            {
                var canonical = expression.ToString();
                groupKeyIndex = groupBy.FindIndex(key => key.ToString() == canonical);
                if (groupKeyIndex < 0)
                {
                    throw Error(text, $"'{canonical}' is neither in GROUP BY nor inside an aggregate", offset, expression);
                }
            }

            items.Add(new SelectItem(expression, name, groupKeyIndex));
        }

        var hasAggregates = items.Any(i => i.Aggregate is not null);
        if (hasAggregates && groupBy.Count == 0)
        {
            var plain = select.FirstOrDefault(s => s.Expression is not AggregateExpression);
            if (plain.Expression is not null)
            {
                throw Error(text, $"'{plain.Expression}' must be inside an aggregate, or the query needs GROUP BY", plain.Offset, plain.Expression);
            }
        }

        return new IotHubQuery(text, collection, top, selectsAll, items, where, groupBy, hasAggregates);
    }

    /// <summary>Aggregates fold many documents into one value, so they cannot appear where one document is tested.</summary>
    public static void RejectAggregates(string text, Expression expression, string place)
    {
        if (expression is AggregateExpression aggregate)
        {
            throw Error(text, $"aggregate {aggregate.Kind.ToString().ToUpperInvariant()}() is not allowed in {place}", aggregate.Offset, aggregate);
        }

        foreach (var child in expression.Children)
        {
            RejectAggregates(text, child, place);
        }
    }

    private static QuerySemanticException Error(string text, string problem, int offset, Expression at)
    {
        var token = at.ToString();
        return QuerySemanticException.At(text, problem, offset, token.Length > 80 ? token[..80] : token);
    }
}
