using System.Text;
using System.Text.Json;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary>
/// A property path such as <c>properties.reported.firmware.currentFwVersion</c> or <c>configurations.[[id]].status</c>,
/// compiled once into UTF-8 segments: the collection prefix (<c>devices.</c>, <c>devices.jobs.</c>) is already
/// stripped and a root identity name already has its canonical spelling, so evaluation compares bytes in the
/// document's own text and allocates nothing.
/// </summary>
internal sealed class PathExpression : Expression
{
    private readonly string[] _segments;
    private readonly byte[][] _utf8;

    public PathExpression(int offset, string[] segments)
        : base(offset)
    {
        _segments = segments;
        _utf8 = segments.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    /// <summary>The key a projection of this path gets without AS: its last segment.</summary>
    public string OutputName => _segments[^1];

    public IReadOnlyList<string> Segments => _segments;

    public override Value Evaluate(JsonElement document)
        => TryResolve(document, out var found) ? Value.FromElement(found) : Value.Undefined;

    /// <summary>Finds the element at this path; false when any segment is missing (undefined). A JSON null is found as a Null element.</summary>
    public bool TryResolve(JsonElement document, out JsonElement found)
    {
        var current = document;
        foreach (var segment in _utf8)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                found = default;
                return false;
            }
        }

        found = current;
        return true;
    }

    public override string ToString()
        => string.Join('.', _segments.Select(s => IsPlainName(s) ? s : $"[[{s}]]"));

    private static bool IsPlainName(string s)
        => s.Length > 0 && (char.IsLetter(s[0]) || s[0] is '_' or '$') && s.All(c => char.IsLetterOrDigit(c) || c is '_' or '$');
}
