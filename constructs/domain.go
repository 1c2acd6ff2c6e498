package sst

import (
	"fmt"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/acmcertificate"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/acmcertificatevalidation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2apimapping"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2domainname"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsroute53zone"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
)

// domain is a custom domain: a Route53 zone lookup, an ACM certificate
// validated through DNS unless one is given, and an alias record.
type domain struct {
	name string
	zone dataawsroute53zone.DataAwsRoute53Zone
	cert string
}

// newDomain validates cd and issues (or adopts) its certificate.
func newDomain(s *Stack, id string, cd CustomDomain) *domain { return newDomainIn(s, id, cd, nil) }

// newDomainIn issues the certificate through provider p when set
// (CloudFront needs us-east-1 certificates whatever the stack's region).
func newDomainIn(s *Stack, id string, cd CustomDomain, p cdktf.TerraformProvider) *domain {
	where := fmt.Sprintf("stack %s: %q: CustomDomain", s.name, id)
	name := strings.TrimSuffix(strings.ToLower(cd.DomainName), ".")
	if name == "" || !strings.Contains(name, ".") {
		s.app.errorf("%s: DomainName %q must be a fully qualified domain name such as api.example.com", where, cd.DomainName)
		return nil
	}
	zoneName := strings.TrimSuffix(strings.ToLower(cd.HostedZone), ".")
	if zoneName == "" {
		zoneName = name[strings.Index(name, ".")+1:]
		if !strings.Contains(zoneName, ".") {
			zoneName = name // an apex domain is its own zone
		}
	}
	if name != zoneName && !strings.HasSuffix(name, "."+zoneName) {
		s.app.errorf("%s: DomainName %q is not inside HostedZone %q", where, name, zoneName)
		return nil
	}
	// Two constructs on one domain would each point its DNS record
	// elsewhere, the last apply winning.
	s.app.names.Claim(naming.KindDomain, name, s.app.owner(id))
	d := &domain{name: name}
	d.zone = dataawsroute53zone.NewDataAwsRoute53Zone(s.tf, jsii.String(id+"_zone"), &dataawsroute53zone.DataAwsRoute53ZoneConfig{
		Name:        jsii.String(zoneName),
		PrivateZone: jsii.Bool(false),
	})
	if cd.CertificateArn != "" {
		d.cert = cd.CertificateArn
		return d
	}
	cert := acmcertificate.NewAcmCertificate(s.tf, jsii.String(id+"_certificate"), &acmcertificate.AcmCertificateConfig{
		DomainName:       jsii.String(name),
		ValidationMethod: jsii.String("DNS"),
		Provider:         p,
	})
	opt := cert.DomainValidationOptions().Get(jsii.Number(0))
	rec := route53record.NewRoute53Record(s.tf, jsii.String(id+"_certificate_validation_record"), &route53record.Route53RecordConfig{
		ZoneId:         d.zone.ZoneId(),
		Name:           opt.ResourceRecordName(),
		Type:           opt.ResourceRecordType(),
		Records:        &[]*string{opt.ResourceRecordValue()},
		Ttl:            jsii.Number(60),
		AllowOverwrite: jsii.Bool(true),
	})
	v := acmcertificatevalidation.NewAcmCertificateValidation(s.tf, jsii.String(id+"_certificate_validation"), &acmcertificatevalidation.AcmCertificateValidationConfig{
		CertificateArn:        cert.Arn(),
		ValidationRecordFqdns: &[]*string{rec.Fqdn()},
		Provider:              p,
	})
	d.cert = *v.CertificateArn()
	return d
}

// newApiDomain serves an API Gateway v2 API's stage (HTTP or WebSocket)
// on cd.
func newApiDomain(s *Stack, id string, apiID, stageID *string, cd CustomDomain) *domain {
	d := newDomain(s, id, cd)
	if d == nil {
		return nil
	}
	dn := apigatewayv2domainname.NewApigatewayv2DomainName(s.tf, jsii.String(id+"_domain"), &apigatewayv2domainname.Apigatewayv2DomainNameConfig{
		DomainName: jsii.String(d.name),
		DomainNameConfiguration: &apigatewayv2domainname.Apigatewayv2DomainNameDomainNameConfiguration{
			CertificateArn: jsii.String(d.cert),
			EndpointType:   jsii.String("REGIONAL"),
			SecurityPolicy: jsii.String("TLS_1_2"),
		},
	})
	apigatewayv2apimapping.NewApigatewayv2ApiMapping(s.tf, jsii.String(id+"_domain_mapping"), &apigatewayv2apimapping.Apigatewayv2ApiMappingConfig{
		ApiId:      apiID,
		DomainName: dn.Id(),
		Stage:      stageID,
	})
	route53record.NewRoute53Record(s.tf, jsii.String(id+"_domain_record"), &route53record.Route53RecordConfig{
		ZoneId: d.zone.ZoneId(),
		Name:   jsii.String(d.name),
		Type:   jsii.String("A"),
		Alias: &route53record.Route53RecordAlias{
			Name:                 dn.DomainNameConfiguration().TargetDomainName(),
			ZoneId:               dn.DomainNameConfiguration().HostedZoneId(),
			EvaluateTargetHealth: jsii.Bool(false),
		},
	})
	return d
}
