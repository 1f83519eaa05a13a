using System.Collections;
using System.Management.Automation;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Completers;

/// <summary>
/// Completes -DeviceId with the ids of the connected hub's devices that match what was typed (wildcards allowed).
/// Silent — no completions, no errors — when the session is not connected or the hub does not answer quickly.
/// </summary>
public sealed class DeviceIdCompleter : HubCompleter
{
    private const int MaxDevices = 1000;

    private protected override IEnumerable<CompletionResult> Complete(HubConnection connection, WildcardPattern pattern,
        IDictionary fakeBoundParameters, CancellationToken cancellationToken)
        => connection.Registry.GetDevicesAsync(MaxDevices, cancellationToken).GetAwaiter().GetResult()
            .Select(d => d.Id)
            .Where(pattern.IsMatch)
            .OrderBy(id => id, StringComparer.OrdinalIgnoreCase)
            .Select(id => new CompletionResult(CompletionText.Quote(id), id, CompletionResultType.ParameterValue, id));
}
