using IotLabKit.Query.Expressions;

namespace IotLabKit.Query.Evaluation;

/// <summary>
/// Folds one aggregate over the documents of a group. COUNT() counts documents, COUNT(x) the documents where x is
/// defined; SUM and AVG use numeric values only (others are skipped); MIN and MAX order numbers before strings
/// and skip other types.
/// </summary>
internal sealed class Aggregator(AggregateKind kind)
{
    private long _count;
    private double _sum;
    private Value _best;

    public void Add(in Value value)
    {
        switch (kind)
        {
            case AggregateKind.Count:
                if (!value.IsUndefined)
                {
                    _count++;
                }

                break;
            case AggregateKind.Sum:
            case AggregateKind.Avg:
                if (value.Kind == ValueKind.Number)
                {
                    _sum += value.Number;
                    _count++;
                }

                break;
            case AggregateKind.Min:
            case AggregateKind.Max:
                if (value.Kind is not (ValueKind.Number or ValueKind.String))
                {
                    break;
                }

                if (_best.IsUndefined)
                {
                    _best = value;
                    break;
                }

                var order = Operators.OrderForMinMax(value, _best) ?? 0;
                if (kind == AggregateKind.Min ? order < 0 : order > 0)
                {
                    _best = value;
                }

                break;
        }
    }

    /// <summary>The result; undefined (the key is left out of the row) for AVG, MIN and MAX over no usable values.</summary>
    public Value Result => kind switch
    {
        AggregateKind.Count => Value.FromNumber(_count),
        AggregateKind.Sum => Value.FromNumber(_sum),
        AggregateKind.Avg => _count == 0 ? Value.Undefined : Value.FromNumber(_sum / _count),
        _ => _best,
    };
}
