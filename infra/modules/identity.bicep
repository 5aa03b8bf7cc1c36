// The Function App's user-assigned managed identity. It exists before the app, so its role
// assignments are in place by the time the first container starts (no circular dependency).

@description('Azure region for the identity.')
param location string

@description('Managed identity name.')
param name string

param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
