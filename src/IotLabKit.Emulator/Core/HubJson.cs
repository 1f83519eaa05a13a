using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Core;

/// <summary>How the hub reads and writes JSON text.</summary>
public static class HubJson
{
    /// <summary>
    /// Writing: compact, and without escaping characters such as <c>+</c> or non-ASCII letters (which device ids and
    /// twin keys may contain) so bodies read the way users wrote them.
    /// </summary>
    public static JsonSerializerOptions WriteOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reading: duplicate member names are an error rather than a silent last-one-wins.</summary>
    public static JsonDocumentOptions ReadOptions { get; } = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>Writes a node as compact JSON text.</summary>
    public static string Write(JsonNode node) => node.ToJsonString(WriteOptions);

    /// <summary>
    /// Parses a request body that must be a JSON object: malformed text is <c>IotHubFormatError</c>, another JSON
    /// type <c>ArgumentInvalid</c>, an empty body <c>ArgumentNull</c>.
    /// </summary>
    public static JsonObject ParseObject(string text, string what)
    {
        var node = Parse(text, $"{what} must be a JSON object");
        return node as JsonObject
            ?? throw new HubException(IotHubErrorCode.ArgumentInvalid, $"{Capitalize(what)} must be a JSON object, not {Describe(node)}.");
    }

    /// <summary>
    /// Parses a request body of any JSON type: malformed text (an unpaired surrogate escape such as <c>\uD800</c>
    /// included) is <c>IotHubFormatError</c>, an empty body <c>ArgumentNull</c> ("The request body is empty; " +
    /// <paramref name="expectation"/>).
    /// </summary>
    public static JsonNode? Parse(string text, string expectation)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new HubException(IotHubErrorCode.ArgumentNull, $"The request body is empty; {expectation}.");
        try
        {
            var node = JsonNode.Parse(text, documentOptions: ReadOptions);
            RequireText(node);
            return node;
        }
        catch (JsonException ex)
        {
            throw new HubException(IotHubErrorCode.IotHubFormatError, $"The request body is not valid JSON: {ex.Message}");
        }
        catch (InvalidOperationException)
        {
            throw new HubException(IotHubErrorCode.IotHubFormatError,
                "The request body is not valid JSON text: it has an unpaired surrogate escape (\\uD800-\\uDFFF without its partner).");
        }
    }

    // A lone surrogate escape is valid JSON grammar but no text; reading it throws, so read every name and
    // string now, while that can still be the caller's error rather than a server error later.
    private static void RequireText(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj) RequireText(child);
                break;
            case JsonArray array:
                foreach (var child in array) RequireText(child);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                _ = value.GetValue<string>();
                break;
        }
    }

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind() switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
