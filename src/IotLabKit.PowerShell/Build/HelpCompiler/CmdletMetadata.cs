using System.Reflection;

namespace IotLabKit.HelpCompiler;

/// <summary>A cmdlet's shape as PowerShell will see it, read from attributes without running any code.</summary>
internal sealed class CmdletMetadata
{
    public const string AllSets = "__AllParameterSets";

    public required string Verb { get; init; }
    public required string Noun { get; init; }
    public string Name => Verb + "-" + Noun;
    public string? DefaultSet { get; init; }
    public bool SupportsShouldProcess { get; init; }
    public List<ParameterMetadata> Parameters { get; } = [];
    public List<string> OutputTypes { get; } = [];

    /// <summary>The named parameter sets, or one unnamed set when every parameter is in all sets.</summary>
    public IReadOnlyList<string> ParameterSets
    {
        get
        {
            var sets = Parameters.SelectMany(p => p.Sets.Keys).Where(s => s != AllSets).Distinct().ToList();
            if (sets.Count == 0) return [AllSets];
            if (DefaultSet is not null && sets.Remove(DefaultSet)) sets.Insert(0, DefaultSet);
            return sets;
        }
    }

    /// <summary>Reads every public cmdlet class in <paramref name="assemblyPath"/>.</summary>
    public static List<CmdletMetadata> Load(string assemblyPath, IEnumerable<string> referencePaths)
    {
        var references = referencePaths.ToList();
        var paths = new List<string>(references) { assemblyPath };
        paths.AddRange(Directory.GetFiles(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in paths) byName.TryAdd(Path.GetFileName(p), p); // first wins: references before the runtime
        // The module was compiled against reference assemblies, where System.Runtime defines the core types.
        var core = byName.ContainsKey("System.Runtime.dll") && references.Count > 0 ? "System.Runtime" : "System.Private.CoreLib";
        using var context = new MetadataLoadContext(new PathAssemblyResolver(byName.Values), core);
        var assembly = context.LoadFromAssemblyPath(assemblyPath);
        var result = new List<CmdletMetadata>();
        foreach (var type in assembly.GetTypes())
        {
            if (!type.IsPublic || type.IsAbstract) continue;
            var cmdlet = Find(type.GetCustomAttributesData(), "CmdletAttribute").FirstOrDefault();
            if (cmdlet is null) continue;
            var meta = new CmdletMetadata
            {
                Verb = (string)cmdlet.ConstructorArguments[0].Value!,
                Noun = (string)cmdlet.ConstructorArguments[1].Value!,
                DefaultSet = Named(cmdlet, "DefaultParameterSetName") as string,
                SupportsShouldProcess = Named(cmdlet, "SupportsShouldProcess") is true,
            };
            foreach (var output in Find(type.GetCustomAttributesData(), "OutputTypeAttribute"))
                foreach (var arg in output.ConstructorArguments)
                    foreach (var v in arg.Value as IEnumerable<CustomAttributeTypedArgument> ?? [arg])
                        meta.OutputTypes.Add(v.Value is Type t ? t.FullName! : v.Value?.ToString() ?? "");
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var attributes = property.GetCustomAttributesData();
                var parameters = Find(attributes, "ParameterAttribute").ToList();
                if (parameters.Count == 0) continue;
                var pm = new ParameterMetadata { Name = property.Name, TypeName = DisplayName(property.PropertyType), IsArray = property.PropertyType.IsArray };
                foreach (var pa in parameters)
                {
                    var set = Named(pa, "ParameterSetName") as string ?? AllSets;
                    pm.Sets[set] = new ParameterInSet(
                        Named(pa, "Mandatory") is true,
                        Named(pa, "Position") is int pos ? pos : int.MinValue,
                        Named(pa, "ValueFromPipeline") is true,
                        Named(pa, "ValueFromPipelineByPropertyName") is true);
                    if (Named(pa, "DontShow") is true) pm.DontShow = true;
                }
                foreach (var alias in Find(attributes, "AliasAttribute"))
                    pm.Aliases.AddRange(Strings(alias));
                foreach (var set in Find(attributes, "ValidateSetAttribute"))
                    pm.ValidValues.AddRange(Strings(set));
                if (pm.ValidValues.Count == 0 && UnderlyingType(property.PropertyType) is { IsEnum: true } e)
                    pm.ValidValues.AddRange(e.GetEnumNames());
                pm.Globbing = Find(attributes, "SupportsWildcardsAttribute").Any();
                meta.Parameters.Add(pm);
            }
            result.Add(meta);
        }
        return result;
    }

    private static IEnumerable<CustomAttributeData> Find(IEnumerable<CustomAttributeData> attributes, string name)
        => attributes.Where(a => a.AttributeType.Name == name && a.AttributeType.Namespace == "System.Management.Automation");

    private static object? Named(CustomAttributeData a, string name)
        => a.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    private static IEnumerable<string> Strings(CustomAttributeData a)
        => a.ConstructorArguments.SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items
            ? items.Select(i => i.Value?.ToString() ?? "")
            : [arg.Value?.ToString() ?? ""]);

    private static Type UnderlyingType(Type t)
        => t.IsGenericType && t.GetGenericTypeDefinition().FullName == "System.Nullable`1" ? t.GetGenericArguments()[0] : t;

    /// <summary>The short type name Get-Help shows: String, SwitchParameter, String[], Int32.</summary>
    public static string DisplayName(Type t)
    {
        t = UnderlyingType(t);
        return t.IsArray ? DisplayName(t.GetElementType()!) + "[]" : t.Name;
    }
}

/// <summary>One parameter and how it binds in each set it belongs to.</summary>
internal sealed class ParameterMetadata
{
    public required string Name { get; init; }
    /// <summary>Read while the metadata context is open; types do not outlive it.</summary>
    public required string TypeName { get; init; }
    public bool IsArray { get; init; }
    public Dictionary<string, ParameterInSet> Sets { get; } = [];
    public List<string> Aliases { get; } = [];
    public List<string> ValidValues { get; } = [];
    public bool Globbing { get; set; }
    public bool DontShow { get; set; }
    public bool IsSwitch => TypeName == "SwitchParameter";

    public ParameterInSet? In(string set)
        => Sets.TryGetValue(set, out var s) ? s : Sets.TryGetValue(CmdletMetadata.AllSets, out var all) ? all : null;
}

/// <summary>How a parameter binds in one parameter set.</summary>
internal sealed record ParameterInSet(bool Mandatory, int Position, bool FromPipeline, bool FromPipelineByPropertyName)
{
    public bool IsPositional => Position != int.MinValue;

    public string PipelineText => (FromPipeline, FromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}
