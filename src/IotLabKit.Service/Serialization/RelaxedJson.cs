using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IotLabKit.Service.Serialization;

/// <summary>
/// Reads the relaxed JSON that Microsoft's service SDK accepts for twin patches, because it parses them with
/// Newtonsoft.Json: single-quoted strings, unquoted property names, comments and trailing commas. AZ-220 Lab 15 sends
/// its twin patch that way (<c>tags: { customerID: 'Customer1' }</c>), so lab code must work unchanged here; the hub
/// itself only ever receives strict JSON.
/// </summary>
internal static class RelaxedJson
{
    private static readonly JsonDocumentOptions Lenient = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Parses strict or relaxed JSON text.</summary>
    /// <exception cref="JsonException">The text is not JSON, even relaxed.</exception>
    public static JsonNode? Parse(string text) => JsonNode.Parse(ToStrict(text), documentOptions: Lenient);

    /// <summary>
    /// Rewrites single-quoted strings as double-quoted ones and quotes bare property names; everything else is copied,
    /// so errors in the text still surface from the JSON parser with its position.
    /// </summary>
    public static string ToStrict(string text)
    {
        var output = new StringBuilder(text.Length + 16);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                i = CopyDoubleQuoted(text, i, output);
            }
            else if (c == '\'')
            {
                i = ConvertSingleQuoted(text, i, output);
            }
            else if (c == '/' && i + 1 < text.Length && (text[i + 1] == '/' || text[i + 1] == '*'))
            {
                // Comments are left for the parser to skip; only their quotes must not be taken for strings.
                var end = text[i + 1] == '/' ? text.IndexOf('\n', i) : text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + (text[i + 1] == '/' ? 0 : 2);
                output.Append(text, i, end - i);
                i = end;
            }
            else if (char.IsLetter(c) || c == '_' || c == '$')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || text[i] == '$')) i++;
                var word = text.AsSpan(start, i - start);
                if (IsPropertyName(text, i)) output.Append('"').Append(word).Append('"');
                else output.Append(word);
            }
            else
            {
                output.Append(c);
                i++;
            }
        }
        return output.ToString();
    }

    private static bool IsPropertyName(string text, int after)
    {
        while (after < text.Length && char.IsWhiteSpace(text[after])) after++;
        return after < text.Length && text[after] == ':';
    }

    private static int CopyDoubleQuoted(string text, int start, StringBuilder output)
    {
        var i = start + 1;
        while (i < text.Length && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
        var end = Math.Min(i + 1, text.Length);
        output.Append(text, start, end - start);
        return end;
    }

    private static int ConvertSingleQuoted(string text, int start, StringBuilder output)
    {
        output.Append('"');
        var i = start + 1;
        while (i < text.Length && text[i] != '\'')
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                // \' needs no escape inside double quotes; every other escape means the same in both.
                if (text[i + 1] == '\'') output.Append('\'');
                else output.Append(c).Append(text[i + 1]);
                i += 2;
                continue;
            }
            if (c == '"') output.Append("\\\"");
            else output.Append(c);
            i++;
        }
        if (i < text.Length) output.Append('"');
        return Math.Min(i + 1, text.Length);
    }
}
