using System.Text.Json.Nodes;
using IotLabKit.Query.Evaluation;

namespace IotLabKit.Query.Expressions;

/// <summary>
/// A property path such as <c>properties.reported.firmware.currentFwVersion</c> or <c>configurations.[[id]].status</c>,
/// compiled once into segments: the collection prefix (<c>devices.</c>, <c>devices.jobs.</c>) is already stripped and
/// a root identity name already has its canonical spelling, so evaluation is only dictionary look-ups.
/// </summary>
internal sealed class PathExpression(int offset, string[] segments) : Expression(offset)
{
    private readonly string[] _segments = segments;

    /// <summary>The key a projection of this path gets without AS: its last segment.</summary>
    public string OutputName => _segments[^1];

    public IReadOnlyList<string> Segments => _segments;

    public override Value Evaluate(JsonObject document)
        => TryResolve(document, out var node) ? Value.FromNode(node) : Value.Undefined;

    /// <summary>Finds the node at this path; false when any segment is missing (undefined). A JSON null is found as a null node.</summary>
    public bool TryResolve(JsonObject document, out JsonNode? node)
    {
        JsonNode? current = document;
        foreach (var segment in _segments)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                node = null;
                return false;
            }
        }

        node = current;
        return true;
    }

    public override string ToString()
        => string.Join('.', _segments.Select(s => IsPlainName(s) ? s : $"[[{s}]]"));

    private static bool IsPlainName(string s)
        => s.Length > 0 && (char.IsLetter(s[0]) || s[0] is '_' or '$') && s.All(c => char.IsLetterOrDigit(c) || c is '_' or '$');
}
