using IotLabKit.Query.Expressions;

namespace IotLabKit.Query.Evaluation;

/// <summary>
/// One element of a SELECT list with the key it gets in a result row (its alias, its path's last segment, or
/// <c>$n</c>). In a GROUP BY query a non-aggregate element is one of the keys: <see cref="GroupKeyIndex"/> says which.
/// </summary>
internal sealed record SelectItem(Expression Expression, string OutputName, int GroupKeyIndex = -1)
{
    public AggregateExpression? Aggregate => Expression as AggregateExpression;
}
