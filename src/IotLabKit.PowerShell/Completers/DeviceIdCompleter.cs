using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Completers;

/// <summary>
/// Completes -DeviceId with the ids of the connected hub's devices that match what was typed (wildcards allowed).
/// Silent — no completions, no errors — when the session is not connected or the hub does not answer quickly.
/// </summary>
public sealed class DeviceIdCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private const int MaxDevices = 1000;

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var connection = HubSession.Current;
        if (connection is null) return [];
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase);
        try
        {
            using var timeout = new CancellationTokenSource(Budget);
            var devices = connection.Registry.GetDevicesAsync(MaxDevices, timeout.Token).GetAwaiter().GetResult();
            return devices
                .Select(d => d.Id)
                .Where(pattern.IsMatch)
                .OrderBy(id => id, StringComparer.OrdinalIgnoreCase)
                .Select(id => new CompletionResult(Quote(id), id, CompletionResultType.ParameterValue, id))
                .ToList();
        }
        catch (Exception)
        {
            // Completion must never throw into the user's typing; no answer means no suggestions.
            return [];
        }
    }

    internal static string Quote(string id)
        => id.IndexOfAny([' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '@', '#', '|', '&']) >= 0
            ? "'" + id.Replace("'", "''", StringComparison.Ordinal) + "'"
            : id;
}
