using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace IotLabKit.Labs.Scripting;

/// <summary>
/// Compiles lab scripts with Roslyn scripting against the kit's clients (IotLabKit.Device, IotLabKit.Service),
/// Microsoft's Event Hubs client, Newtonsoft.Json (when the host has it, as pwsh does) and the .NET libraries, with
/// <see cref="LabGlobals"/> as globals and no imports beyond the script's own <c>using</c> lines. Compiled scripts
/// are kept by path and content, so running the same script again does not compile it again.
/// </summary>
public static class LabScriptCompiler
{
    private static readonly ConcurrentDictionary<string, Script<object>> Compiled = new(StringComparer.Ordinal);
    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(BuildReferences);

    /// <summary>Assemblies scripts compile against besides the .NET libraries (by simple name; missing ones are skipped).</summary>
    private static readonly string[] KitAssemblies =
    [
        "IotLabKit.Labs", "IotLabKit.Device", "IotLabKit.Service", "IotLabKit.Protocol",
        "Azure.Messaging.EventHubs", "Azure.Core", "System.Memory.Data", "System.ClientModel", "Newtonsoft.Json",
    ];

    /// <summary>Compiles <paramref name="path"/> (or returns the earlier compilation of the same text).</summary>
    /// <exception cref="LabScriptCompilationException">The script has errors.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Script<object> Compile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"The script '{full}' does not exist.", full);
        var code = File.ReadAllText(full);
        var key = full + "|" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
        if (Compiled.TryGetValue(key, out var cached)) return cached;

        var directory = Path.GetDirectoryName(full)!;
        var options = ScriptOptions.Default
            .WithFilePath(full)
            .WithFileEncoding(Encoding.UTF8)
            .WithEmitDebugInformation(true)
            .WithOptimizationLevel(OptimizationLevel.Debug)
            .WithReferences(References.Value)
            .WithImports(Array.Empty<string>())
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(directory))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(directory));
        var script = CSharpScript.Create<object>(code, options, typeof(LabGlobals));
        var errors = script.Compile()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(d => ScriptDiagnostic.From(d, full))
            .ToList();
        if (errors.Count > 0) throw new LabScriptCompilationException(full, errors);
        Compiled[key] = script;
        return script;
    }

    private static IReadOnlyList<MetadataReference> BuildReferences()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        // The .NET libraries: the shared framework's own assemblies (pwsh's trusted list also holds pwsh's).
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var file in Directory.EnumerateFiles(runtimeDirectory, "*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard" or "mscorlib" or "Microsoft.CSharp" or "Microsoft.Win32.Primitives")
            {
                if (IsManaged(file)) paths.Add(file);
            }
        }
        foreach (var name in KitAssemblies)
        {
            var location = TryLoad(name)?.Location;
            if (!string.IsNullOrEmpty(location)) paths.Add(location);
        }
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    private static Assembly? TryLoad(string name)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name);
        if (loaded is not null) return loaded;
        try { return Assembly.Load(new AssemblyName(name)); }
        catch (IOException) { return null; }
        catch (BadImageFormatException) { return null; }
    }

    private static bool IsManaged(string file)
    {
        try
        {
            AssemblyName.GetAssemblyName(file);
            return true;
        }
        catch (BadImageFormatException) { return false; }
    }
}
