using System.Security.Cryptography;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Canopy.Root.Tests;

/// <summary>What the root answers without a credential, and what a cluster can do with the key it gets for user tokens.</summary>
public sealed class AnonymousAccessTests : RootTestBase
{
    /// <summary>
    /// What answers without a credential, besides 401 (README, "The API"): health and readiness, login, Oakestra's open cluster lists and
    /// the dashboard's static files (its data comes from the API with the user's token). Cluster registration and the link check their
    /// own secrets and answer 401 without them.
    /// </summary>
    private static readonly string[] Open =
        ["GET /health", "GET /health/ready", "POST /api/auth/login", "GET /api/clusters/", "GET /api/clusters/active", "GET /", "GET /ui/{**path}"];

    [Fact]
    public async Task Every_route_but_the_documented_open_ones_answers_401_with_what_to_do()
    {
        using var anonymous = Root.Server.CreateClient();

        var answers = await AnonymousCalls.CallEveryRouteAsync(Root.App.Services, anonymous);

        answers.Count.ShouldBeGreaterThan(30);
        answers.Where(a => a.Status != 401).Select(a => a.Route).ShouldBeSubsetOf(Open, string.Join("\n", answers));
        answers.Where(a => a.Status == 401).ShouldAllBe(a => a.ContentType == "application/problem+json" && !string.IsNullOrEmpty(a.Detail));
        answers.Where(a => a.Status == 401 && a.Route.Contains("/api/v1/services")).ShouldAllBe(a => a.Detail!.Contains("POST /api/auth/login"));
        answers.Where(a => a.Route.StartsWith("GET /api/clusters/", StringComparison.Ordinal)).ShouldAllBe(a => a.Status == 200);
    }

    [Fact]
    public async Task The_open_cluster_lists_carry_nothing_secret()
    {
        var registration = await FakeCluster.RegisterAsync(Root, "edge-1");
        using var anonymous = Root.Server.CreateClient();

        foreach (var path in new[] { "/api/clusters/", "/api/clusters/active" })
        {
            var text = await anonymous.GetStringAsync(path);
            text.ShouldNotContain(registration.Credential);
            text.ShouldNotContain(FakeCluster.SecretOf("edge-1"));
            text.ShouldNotContain("credential", Case.Insensitive);
            text.ShouldNotContain("secret", Case.Insensitive);
            text.ShouldNotContain("manager_url");
        }
    }

    [Fact]
    public async Task A_cluster_checks_user_tokens_with_the_public_key_it_got_at_registration_and_cannot_sign_any()
    {
        var registration = await FakeCluster.RegisterAsync(Root, "edge-1");
        var login = await Root.LoginAsync();
        var key = registration.UserTokenKey.ShouldNotBeNull();
        registration.RootTime.ShouldNotBeNull();
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(key.X), Y = Base64UrlEncoder.DecodeBytes(key.Y) },
        });

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(login.Token, new TokenValidationParameters
        {
            ValidIssuer = UserTokenClaims.Issuer,
            ValidAudience = UserTokenClaims.Audience,
            IssuerSigningKey = new ECDsaSecurityKey(ecdsa) { KeyId = key.Kid },
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        });

        result.IsValid.ShouldBeTrue(result.Exception?.Message);
        key.Alg.ShouldBe("ES256");
        Should.Throw<CryptographicException>(() => ecdsa.SignData([1, 2, 3], HashAlgorithmName.SHA256));
    }
}
