using System.Text.RegularExpressions;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Functions.Tests;

/// <summary>
/// Least privilege, read off the Bicep under infra/: who holds which storage role, and on what scope.
/// No principal but the app holds an account-wide Owner or Contributor role, and the app only on the
/// host account; on the data account every data role is scoped to one container or queue, uploaders
/// write only the source containers and readers read only outputs. Role IDs are the built-in roles
/// their names say.
/// </summary>
public sealed partial class InfraRoleTests
{
    // Built-in Azure role definition IDs (the same in every tenant).
    private static readonly Dictionary<string, string> BuiltInRoles = new(StringComparer.Ordinal)
    {
        ["owner"] = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        ["contributor"] = "b24988ac-6180-42a0-ab88-20f7382dd24c",
        ["storageBlobDataOwner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ["storageBlobDataContributor"] = "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        ["storageBlobDataReader"] = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        ["storageBlobDelegator"] = "db58b8e5-c6ad-4a2a-8342-4190687cbf4a",
        ["storageQueueDataContributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        ["storageQueueDataMessageSender"] = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
        ["storageTableDataContributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        ["acrPull"] = "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        ["monitoringMetricsPublisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
    };

    // Roles that let a principal change or take over data (or everything) where they are assigned.
    private static readonly HashSet<string> WriteRoles =
    [
        BuiltInRoles["owner"], BuiltInRoles["contributor"], BuiltInRoles["storageBlobDataOwner"],
        BuiltInRoles["storageBlobDataContributor"], BuiltInRoles["storageQueueDataContributor"], BuiltInRoles["storageTableDataContributor"],
    ];

    private const string StorageAccountType = "Microsoft.Storage/storageAccounts";
    private const string HostRolesFile = "hostRoles.bicep";
    private const string AppPrincipal = "appPrincipalId";

    private static string Modules => Path.Combine(InfraFiles.Root, "modules");

    [Fact]
    public void The_data_account_grants_are_per_container_as_designed()
    {
        var grants = DataGrants();

        (string, string, string)[] expected =
        [
            ("app", StorageLayout.InboxContainer, "storageBlobDataReader"),
            ("app", StorageLayout.StylesContainer, "storageBlobDataReader"),
            ("app", StorageLayout.UploadsContainer, "storageBlobDataContributor"),
            ("app", StorageLayout.OutputsContainer, "storageBlobDataContributor"),
            ("app", StorageLayout.JobsContainer, "storageBlobDataContributor"),
            ("uploader", StorageLayout.InboxContainer, "storageBlobDataContributor"),
            ("uploader", StorageLayout.UploadsContainer, "storageBlobDataContributor"),
            ("uploader", StorageLayout.StylesContainer, "storageBlobDataContributor"),
            ("reader", StorageLayout.OutputsContainer, "storageBlobDataReader"),
            // The GPU workers (queued executor): checkpoints in, checkpoints, frames and previews out.
            ("worker", StorageLayout.JobsContainer, "storageBlobDataContributor"),
            ("worker", StorageLayout.OutputsContainer, "storageBlobDataContributor"),
        ];
        Assert.Equal(expected.Order(), grants.Order());
    }

    [Fact]
    public void Uploaders_write_only_source_containers_and_readers_read_only_outputs()
    {
        var grants = DataGrants();

        var uploads = grants.Where(g => g.Principal == "uploader").Select(g => g.Container).Order();
        Assert.Equal(StorageLayout.SourceContainers.Order(), uploads);
        Assert.DoesNotContain(grants, g => g.Principal is not ("app" or "worker") && g.Container is StorageLayout.JobsContainer);

        var reads = Assert.Single(grants, g => g.Principal == "reader");
        Assert.Equal((StorageLayout.OutputsContainer, "storageBlobDataReader"), (reads.Container, reads.Role));
    }

    [Fact]
    public void No_one_but_the_app_holds_an_account_wide_write_role_and_the_app_only_on_the_host_account()
    {
        var assignments = RoleAssignments().ToList();
        Assert.NotEmpty(assignments);

        foreach (var a in assignments)
        {
            Assert.True(a.ScopeType is not null, $"{a.File} {a.Symbol}: no scope (it would default to the resource group).");
            if (a.ScopeType != StorageAccountType)
            {
                continue;
            }

            foreach (var role in a.RoleIds.Where(WriteRoles.Contains))
            {
                Assert.True(a.File == HostRolesFile && a.Principal == AppPrincipal,
                    $"{a.File} {a.Symbol}: account-wide write role {role} for {a.Principal}; only the app may hold one, on the host account.");
            }
        }

        // The host account's write roles exist, and go to the app.
        Assert.Contains(assignments, a => a.File == HostRolesFile && a.ScopeType == StorageAccountType && a.Principal == AppPrincipal
            && a.RoleIds.Contains(BuiltInRoles["storageBlobDataOwner"]));
    }

    [Fact]
    public void Data_roles_are_scoped_to_one_container_or_queue()
    {
        var byFile = RoleAssignments().ToLookup(a => a.File);

        Assert.Equal("Microsoft.Storage/storageAccounts/blobServices/containers", Assert.Single(byFile["containerRole.bicep"]).ScopeType);
        Assert.Equal("Microsoft.Storage/storageAccounts/queueServices/queues", Assert.Single(byFile["queueRole.bicep"]).ScopeType);
        Assert.Equal("Microsoft.Storage/storageAccounts/queueServices/queues", Assert.Single(byFile["inboxEvents.bicep"]).ScopeType);

        // The one account-scoped role on the data account is the delegator role (user delegation keys).
        var accountWide = Assert.Single(byFile["dataRoles.bicep"]);
        Assert.Equal(StorageAccountType, accountWide.ScopeType);
        Assert.Equal([BuiltInRoles["storageBlobDelegator"]], accountWide.RoleIds);
    }

    [Fact]
    public void Chunk_queue_grants_give_each_identity_only_its_side_of_each_queue()
    {
        var text = File.ReadAllText(Path.Combine(Modules, "dataRoles.bicep"));
        var grants = QueueGrantLine().Matches(VarBlock(text, "chunkQueueGrants"))
            .Select(m => (m.Groups["principal"].Value, m.Groups["queue"].Value, m.Groups["role"].Value)).Order().ToList();

        (string, string, string)[] expected =
        [
            // Workers take, renew (a message write) and delete chunks; they only send results and poison.
            ("worker", "chunksQueueName", "storageQueueDataContributor"),
            ("worker", "'${chunksQueueName}-poison'", "storageQueueDataMessageSender"),
            ("worker", "chunkResultsQueueName", "storageQueueDataMessageSender"),
            // The app only sends chunks, and consumes results (its trigger moves failures to the poison queue).
            ("app", "chunksQueueName", "storageQueueDataMessageSender"),
            ("app", "chunkResultsQueueName", "storageQueueDataContributor"),
            ("app", "'${chunkResultsQueueName}-poison'", "storageQueueDataMessageSender"),
        ];
        Assert.Equal(expected.Order(), grants);
    }

    [Fact]
    public void Role_ids_are_the_built_in_roles_they_are_named_after()
    {
        var checkedNames = 0;
        foreach (var file in Directory.GetFiles(Modules, "*.bicep"))
        {
            foreach (var (name, id) in RoleTable(File.ReadAllText(file)))
            {
                Assert.True(BuiltInRoles.TryGetValue(name, out var builtIn), $"{Path.GetFileName(file)}: unknown role name '{name}'.");
                Assert.Equal(builtIn, id);
                checkedNames++;
            }
        }

        Assert.True(checkedNames >= 8, $"Only {checkedNames} role IDs found in infra/modules.");
    }

    private sealed record Assignment(string File, string Symbol, string? ScopeType, string Principal, IReadOnlyList<string> RoleIds);

    /// <summary>The data account's grant tables in dataRoles.bicep: (principal, container, role name).</summary>
    private static List<(string Principal, string Container, string Role)> DataGrants()
    {
        var text = File.ReadAllText(Path.Combine(Modules, "dataRoles.bicep"));
        var result = new List<(string, string, string)>();
        foreach (Match m in GrantLine().Matches(VarBlock(text, "appContainerGrants")))
        {
            result.Add(("app", m.Groups["container"].Value, m.Groups["role"].Value));
        }

        foreach (Match m in GrantLine().Matches(VarBlock(text, "workerContainerGrants")))
        {
            result.Add(("worker", m.Groups["container"].Value, m.Groups["role"].Value));
        }

        foreach (Match m in PersonGrantLine().Matches(VarBlock(text, "personContainerGrants")))
        {
            result.Add((m.Groups["principal"].Value, m.Groups["container"].Value, m.Groups["role"].Value));
        }

        Assert.NotEmpty(result);
        return result;
    }

    /// <summary>Every Microsoft.Authorization/roleAssignments resource under infra/modules, with its scope's type and role IDs.</summary>
    private static IEnumerable<Assignment> RoleAssignments()
    {
        foreach (var path in Directory.GetFiles(Modules, "*.bicep"))
        {
            var text = File.ReadAllText(path);
            var types = ResourceLine().Matches(text).ToDictionary(m => m.Groups["symbol"].Value, m => m.Groups["type"].Value);
            var roles = RoleTable(text).ToDictionary(r => r.Name, r => r.Id);
            foreach (var (symbol, body) in TopLevelBlocks(text))
            {
                if (types.GetValueOrDefault(symbol) != "Microsoft.Authorization/roleAssignments")
                {
                    continue;
                }

                var scope = ScopeLine().Match(body);
                var principal = PrincipalLine().Match(body).Groups[1].Value;
                yield return new Assignment(Path.GetFileName(path), symbol, scope.Success ? types.GetValueOrDefault(scope.Groups[1].Value) : null,
                    principal, RoleIdsOf(body, text, roles));
            }
        }
    }

    /// <summary>The role IDs an assignment block names: roles.X, a loop over a list of roles.X, a var, or a parameter (empty: decided by the caller).</summary>
    private static List<string> RoleIdsOf(string body, string file, Dictionary<string, string> roles)
    {
        var loop = LoopOverList().Match(body);
        if (loop.Success && RoleIdLine().Match(body).Groups[1].Value == loop.Groups["item"].Value)
        {
            return RoleReference().Matches(VarBlock(file, loop.Groups["list"].Value)).Select(m => roles[m.Groups[1].Value]).ToList();
        }

        var named = RoleReference().Match(RoleIdLine().Match(body).Value);
        if (named.Success)
        {
            return [roles[named.Groups[1].Value]];
        }

        var variable = RoleIdLine().Match(body).Groups[1].Value;
        var single = Regex.Match(file, $@"^var {Regex.Escape(variable)} = '([0-9a-f-]{{36}})'", RegexOptions.Multiline);
        return single.Success ? [single.Groups[1].Value] : [];
    }

    /// <summary>(name, id) pairs of a file's <c>var roles = { name: 'guid' }</c> and single-role vars.</summary>
    private static IEnumerable<(string Name, string Id)> RoleTable(string text)
    {
        foreach (Match m in RoleEntry().Matches(VarBlock(text, "roles")))
        {
            yield return (m.Groups[1].Value, m.Groups[2].Value);
        }

        foreach (Match m in SingleRoleVar().Matches(text))
        {
            yield return (m.Groups[1].Value, m.Groups[2].Value);
        }
    }

    private static string VarBlock(string text, string name)
    {
        var block = TopLevelBlocks(text).FirstOrDefault(b => b.Symbol == name).Body;
        return block ?? string.Empty;
    }

    /// <summary>Top-level declarations (resource, module, var, param, output) with their whole text.</summary>
    private static IEnumerable<(string Symbol, string Body)> TopLevelBlocks(string text)
    {
        var starts = Declaration().Matches(text).ToList();
        for (var i = 0; i < starts.Count; i++)
        {
            var end = i + 1 < starts.Count ? starts[i + 1].Index : text.Length;
            yield return (starts[i].Groups["symbol"].Value, text[starts[i].Index..end]);
        }
    }

    [GeneratedRegex(@"^(?:resource|module|var|param|output) (?<symbol>\w+)", RegexOptions.Multiline)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^resource (?<symbol>\w+) '(?<type>[^@']+)@[^']+'", RegexOptions.Multiline)]
    private static partial Regex ResourceLine();

    [GeneratedRegex(@"^\s+scope: (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ScopeLine();

    [GeneratedRegex(@"^\s+principalId: (\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PrincipalLine();

    [GeneratedRegex(@"roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', ([\w.]+)\)")]
    private static partial Regex RoleIdLine();

    [GeneratedRegex(@"\broles\.(\w+)")]
    private static partial Regex RoleReference();

    [GeneratedRegex(@"for (?<item>\w+) in (?<list>\w+):")]
    private static partial Regex LoopOverList();

    [GeneratedRegex(@"^\s+(\w+): '([0-9a-f-]{36})'", RegexOptions.Multiline)]
    private static partial Regex RoleEntry();

    [GeneratedRegex(@"^var (\w+) = '([0-9a-f-]{36})'", RegexOptions.Multiline)]
    private static partial Regex SingleRoleVar();

    [GeneratedRegex(@"\{ container: '(?<container>[a-z0-9-]+)', role: '(?<role>\w+)' \}")]
    private static partial Regex GrantLine();

    [GeneratedRegex(@"\{ principal: '(?<principal>\w+)', queue: (?<queue>[^,]+), role: '(?<role>\w+)' \}")]
    private static partial Regex QueueGrantLine();

    [GeneratedRegex(@"\{ principal: '(?<principal>\w+)', container: '(?<container>[a-z0-9-]+)', role: '(?<role>\w+)' \}")]
    private static partial Regex PersonGrantLine();
}
