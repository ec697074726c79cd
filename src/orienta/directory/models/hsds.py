"""The directory's HSDS 3.0 tables (plus 3.1's service capacity and unit), and the NRM profile.

Names, columns and enumerations are HSDS's own (see `orienta/directory/hsds/datapackage.json`,
shipped with its licence), so that import and export map column to column: every HSDS column is
the `column` of a field here. Text is stored in TextFields, never truncated; columns a package
carries that HSDS does not define are kept in `extra`. Optional references carry no database
constraint: HSDS data often points at rows published elsewhere (the official examples do), and
those ids are kept as they are rather than dropped. NRM profile additions are documented in
docs/hsds-profile.md.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet, has_capability
from orienta.directory.models.areas import AdministrativeArea


def optional_reference(
    to: str,
    related_name: str,
    verbose_name: Any,
    on_delete: Any = models.CASCADE,
    db_column: str | None = None,
) -> models.ForeignKey[Any, Any]:
    """An optional HSDS reference. No database constraint: HSDS data often points at rows
    published elsewhere, and those ids are kept as they are (see the module docstring)."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        db_constraint=False,
        db_column=db_column,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class HsdsRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Columns or properties an imported package carried beyond HSDS and the profile: kept, and
    # written back on export, so that a round trip loses nothing.
    extra = models.JSONField(default=dict, blank=True, editable=False)

    hsds_table: ClassVar[str]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        label = getattr(self, "name", "") or getattr(self, "number", "") or ""
        return str(label) or f"{self.hsds_table} {self.pk}"


class ReferralChannel(models.TextChoices):
    PLATFORM = "platform", _("On the platform")
    EMAIL = "email", _("By e-mail")
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")


class TargetGroup(models.TextChoices):
    RETURNEES = "returnees", _("Returnees")
    MIGRANTS_IN_TRANSIT = "migrants_in_transit", _("Migrants in transit")
    TRAFFICKING = "presumed_victims_of_trafficking", _("Presumed victims of trafficking")
    CHILDREN = "unaccompanied_separated_children", _("Unaccompanied and separated children")
    GBV = "gbv_survivors", _("Survivors of gender-based violence")
    DISABILITIES = "persons_with_disabilities", _("Persons with disabilities")
    ALL = "all", _("Everyone")


class Taxonomy(HsdsRecord):
    """HSDS `taxonomy`: The taxonomies from which taxonomy terms are taken."""

    hsds_table = "taxonomy"
    name = models.TextField(_("name"))
    description = models.TextField(_("description"))
    uri = models.TextField(_("uri"), blank=True, default="")
    version = models.TextField(_("version"), blank=True, default="")

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")


class TaxonomyTerm(HsdsRecord):
    """HSDS `taxonomy_term`: Each service can be categorized according to one or more taxonomy
    terms."""

    hsds_table = "taxonomy_term"
    code = models.TextField(_("code"), blank=True, default="")
    name = models.TextField(_("name"))
    description = models.TextField(_("description"))
    parent = optional_reference("self", "children", _("taxonomy term"), on_delete=models.SET_NULL)
    taxonomy = models.TextField(_("taxonomy"), blank=True, default="")
    language = models.TextField(_("language"), blank=True, default="")
    taxonomy_detail = optional_reference(
        "Taxonomy", "taxonomy_terms", _("taxonomy"), db_column="taxonomy_id"
    )
    term_uri = models.TextField(_("term uri"), blank=True, default="")
    # NRM profile: `name` is the French label, this the English one.
    name_en = models.TextField(_("name (English)"), blank=True, default="")

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")


class Program(HsdsRecord):
    """HSDS `program`: The details of collections of related services."""

    hsds_table = "program"
    organization = models.ForeignKey(
        "Organisation",
        on_delete=models.CASCADE,
        related_name="programs",
        verbose_name=_("organization"),
    )
    name = models.TextField(_("name"))
    alternate_name = models.TextField(_("alternate name"), blank=True, default="")
    description = models.TextField(_("description"))

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")


class OrganizationIdentifier(HsdsRecord):
    """HSDS `organization_identifier`: The details of the third party identifiers for
    organizations, such as: company registration number, charity number, tax registration
    number."""

    hsds_table = "organization_identifier"
    organization = models.ForeignKey(
        "Organisation",
        on_delete=models.CASCADE,
        related_name="organization_identifiers",
        verbose_name=_("organization"),
    )
    identifier_scheme = models.TextField(_("identifier scheme"), blank=True, default="")
    identifier_type = models.TextField(_("identifier type"))
    identifier = models.TextField(_("identifier"))

    class Meta:
        verbose_name = _("organization identifier")
        verbose_name_plural = _("organization identifiers")


class Location(AdministrativeArea, HsdsRecord):
    """HSDS `location`: The locations where organizations operate."""

    hsds_table = "location"
    location_type = models.TextField(
        _("location type"),
        choices=[("physical", "physical"), ("postal", "postal"), ("virtual", "virtual")],
    )
    url = models.TextField(_("url"), blank=True, default="")
    organization = optional_reference("Organisation", "locations", _("organization"))
    name = models.TextField(_("name"), blank=True, default="")
    alternate_name = models.TextField(_("alternate name"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    transportation = models.TextField(_("transportation"), blank=True, default="")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    external_identifier = models.TextField(_("external identifier"), blank=True, default="")
    external_identifier_type = models.TextField(
        _("external identifier type"), blank=True, default=""
    )
    # NRM profile: where the location is, in the country's administrative divisions.
    country = models.CharField(_("country"), max_length=2, blank=True, default="")

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")


class ServiceQuerySet(ScopedQuerySet):
    """Directory keepers (coordinators) reach every service; a provider focal point reaches the
    services of its own organisation; anyone else, none."""

    scope_capability = "directory.propose_service_changes"
    scope_field = "organization"

    def visible_to(self, user: Any, capability: str | None = None) -> ScopedQuerySet:
        if capability is None and has_capability(user, "directory.manage_services"):
            return self.all()
        return super().visible_to(user, capability)


class Service(HsdsRecord):
    """HSDS `service`: The details of the services provided by organizations to a range of
    different groups."""

    hsds_table = "service"
    organization = models.ForeignKey(
        "Organisation",
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("organization"),
    )
    program = optional_reference("Program", "services", _("program"), on_delete=models.SET_NULL)
    name = models.TextField(_("name"))
    alternate_name = models.TextField(_("alternate name"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    url = models.TextField(_("url"), blank=True, default="")
    email = models.TextField(_("email"), blank=True, default="")
    status = models.TextField(
        _("status"),
        choices=[
            ("active", "active"),
            ("inactive", "inactive"),
            ("defunct", "defunct"),
            ("temporarily closed", "temporarily closed"),
        ],
    )
    interpretation_services = models.TextField(_("interpretation services"), blank=True, default="")
    application_process = models.TextField(_("application process"), blank=True, default="")
    fees_description = models.TextField(_("fees description"), blank=True, default="")
    wait_time = models.TextField(_("wait time"), blank=True, default="")
    fees = models.TextField(_("fees"), blank=True, default="")
    accreditations = models.TextField(_("accreditations"), blank=True, default="")
    eligibility_description = models.TextField(_("eligibility description"), blank=True, default="")
    minimum_age = models.FloatField(_("minimum age"), null=True, blank=True)
    maximum_age = models.FloatField(_("maximum age"), null=True, blank=True)
    assured_date = models.DateField(_("assured date"), null=True, blank=True)
    assurer_email = models.TextField(_("assurer email"), blank=True, default="")
    licenses = models.TextField(_("licenses"), blank=True, default="")
    alert = models.TextField(_("alert"), blank=True, default="")
    last_modified = models.DateTimeField(_("last modified"), null=True, blank=True)
    # NRM profile.
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    accepts_referrals = models.BooleanField(_("accepts referrals"), default=True)
    referral_channel = models.CharField(
        _("referral channel"),
        max_length=20,
        choices=ReferralChannel.choices,
        blank=True,
        default="",
    )
    referral_focal_point = optional_reference(
        "Contact", "+", _("referral focal point"), on_delete=models.SET_NULL
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")


class ServiceAtLocation(HsdsRecord):
    """HSDS `service_at_location`: A link between a service and a specific location."""

    hsds_table = "service_at_location"
    service = models.ForeignKey(
        "Service",
        on_delete=models.CASCADE,
        related_name="service_at_locations",
        verbose_name=_("service"),
    )
    location = models.ForeignKey(
        "Location",
        on_delete=models.CASCADE,
        related_name="service_at_locations",
        verbose_name=_("location"),
    )
    description = models.TextField(_("description"), blank=True, default="")

    class Meta:
        verbose_name = _("service at location")
        verbose_name_plural = _("service at locations")


class Address(HsdsRecord):
    """HSDS `address`: The addresses of locations where organizations operate."""

    hsds_table = "address"
    location = optional_reference("Location", "addresses", _("location"))
    attention = models.TextField(_("attention"), blank=True, default="")
    address_1 = models.TextField(_("address 1"))
    address_2 = models.TextField(_("address 2"), blank=True, default="")
    city = models.TextField(_("city"))
    region = models.TextField(_("region"), blank=True, default="")
    state_province = models.TextField(_("state province"))
    postal_code = models.TextField(_("postal code"))
    country = models.TextField(_("country"))
    address_type = models.TextField(
        _("address type"),
        choices=[("physical", "physical"), ("postal", "postal"), ("virtual", "virtual")],
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")


class Contact(HsdsRecord):
    """HSDS `contact`: The details of the named contacts for services and organizations."""

    hsds_table = "contact"
    organization = optional_reference("Organisation", "contacts", _("organization"))
    service = optional_reference("Service", "contacts", _("service"))
    service_at_location = optional_reference(
        "ServiceAtLocation", "contacts", _("service at location")
    )
    location = optional_reference("Location", "contacts", _("location"))
    name = models.TextField(_("name"), blank=True, default="")
    title = models.TextField(_("title"), blank=True, default="")
    department = models.TextField(_("department"), blank=True, default="")
    email = models.TextField(_("email"), blank=True, default="")
    # NRM profile: internal contacts are never published (public directory, HSDS API).
    internal = models.BooleanField(_("internal"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")


class Phone(HsdsRecord):
    """HSDS `phone`: The details of the telephone numbers used to contact organizations, services,
    and locations."""

    hsds_table = "phone"
    location = optional_reference("Location", "phones", _("location"))
    service = optional_reference("Service", "phones", _("service"))
    organization = optional_reference("Organisation", "phones", _("organization"))
    contact = optional_reference("Contact", "phones", _("contact"), on_delete=models.SET_NULL)
    service_at_location = optional_reference(
        "ServiceAtLocation", "phones", _("service at location")
    )
    number = models.TextField(_("number"))
    extension = models.FloatField(_("extension"), null=True, blank=True)
    type = models.TextField(_("type"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")


class Schedule(HsdsRecord):
    """HSDS `schedule`: The details of when a service or location is open."""

    hsds_table = "schedule"
    service = optional_reference("Service", "schedules", _("service"))
    location = optional_reference("Location", "schedules", _("location"))
    service_at_location = optional_reference(
        "ServiceAtLocation", "schedules", _("service at location")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    dtstart = models.DateField(_("dtstart"), null=True, blank=True)
    timezone = models.FloatField(_("timezone"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.FloatField(_("count"), null=True, blank=True)
    wkst = models.TextField(
        _("wkst"),
        choices=[
            ("MO", "MO"),
            ("TU", "TU"),
            ("WE", "WE"),
            ("TH", "TH"),
            ("FR", "FR"),
            ("SA", "SA"),
            ("SU", "SU"),
        ],
        blank=True,
        default="",
    )
    freq = models.TextField(
        _("freq"), choices=[("WEEKLY", "WEEKLY"), ("MONTHLY", "MONTHLY")], blank=True, default=""
    )
    interval = models.FloatField(_("interval"), null=True, blank=True)
    byday = models.TextField(_("byday"), blank=True, default="")
    byweekno = models.TextField(_("byweekno"), blank=True, default="")
    bymonthday = models.TextField(_("bymonthday"), blank=True, default="")
    byyearday = models.TextField(_("byyearday"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_link = models.TextField(_("schedule link"), blank=True, default="")
    attending_type = models.TextField(_("attending type"), blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")


class ServiceArea(HsdsRecord):
    """HSDS `service_area`: The details of the geographic area for which a service is available."""

    hsds_table = "service_area"
    service = optional_reference("Service", "service_areas", _("service"))
    name = models.TextField(_("name"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    extent = models.TextField(_("extent"), blank=True, default="")
    extent_type = models.TextField(_("extent type"), blank=True, default="")
    uri = models.TextField(_("uri"), blank=True, default="")

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")


class Language(HsdsRecord):
    """HSDS `language`: The languages that are spoken at locations or services."""

    hsds_table = "language"
    service = optional_reference("Service", "languages", _("service"))
    location = optional_reference("Location", "languages", _("location"))
    phone = optional_reference("Phone", "languages", _("phone"))
    name = models.TextField(_("name"), blank=True, default="")
    code = models.TextField(_("code"), blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")


class CostOption(HsdsRecord):
    """HSDS `cost_option`: The costs of a service at certain points in time."""

    hsds_table = "cost_option"
    service = models.ForeignKey(
        "Service", on_delete=models.CASCADE, related_name="cost_options", verbose_name=_("service")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    option = models.TextField(_("option"), blank=True, default="")
    currency = models.TextField(_("currency"), blank=True, default="")
    amount = models.FloatField(_("amount"), null=True, blank=True)
    amount_description = models.TextField(_("amount description"), blank=True, default="")

    class Meta:
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")


class Funding(HsdsRecord):
    """HSDS `funding`: The sources of funding for a service or organization."""

    hsds_table = "funding"
    organization = optional_reference("Organisation", "funding", _("organization"))
    service = optional_reference("Service", "funding", _("service"))
    source = models.TextField(_("source"), blank=True, default="")
    # NRM profile: services that exist only while a project is funded.
    end_date = models.DateField(_("funding ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")


class RequiredDocument(HsdsRecord):
    """HSDS `required_document`: The details of any documents that are required in order to access
    or use services."""

    hsds_table = "required_document"
    service = optional_reference("Service", "required_documents", _("service"))
    document = models.TextField(_("document"), blank=True, default="")
    uri = models.TextField(_("uri"), blank=True, default="")

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")


class Accessibility(HsdsRecord):
    """HSDS `accessibility`: The details of the arrangements for access to locations for people who
    have disabilities."""

    hsds_table = "accessibility"
    location = optional_reference("Location", "accessibility", _("location"))
    description = models.TextField(_("description"), blank=True, default="")
    details = models.TextField(_("details"), blank=True, default="")
    url = models.TextField(_("url"), blank=True, default="")

    class Meta:
        verbose_name = _("accessibility")
        verbose_name_plural = _("accessibility")


class Attribute(HsdsRecord):
    """HSDS `attribute`: A link between a service and one or more classifications that describe the
    nature of the service provided."""

    hsds_table = "attribute"
    # Indexed: every service page, search and match looks up a service's categories by it.
    link_id = models.UUIDField(_("link id"), db_index=True)
    taxonomy_term = models.ForeignKey(
        "TaxonomyTerm",
        on_delete=models.CASCADE,
        related_name="attributes",
        verbose_name=_("taxonomy term"),
    )
    link_type = models.TextField(_("link type"), blank=True, default="")
    link_entity = models.TextField(_("link entity"))
    value = models.TextField(_("value"), blank=True, default="")

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")


class Metadata(HsdsRecord):
    """HSDS `metadata`: A record of the changes that have been made to the data in order to
    maintain provenance information."""

    hsds_table = "metadata"
    resource_id = models.UUIDField(_("resource id"))
    resource_type = models.TextField(_("resource type"))
    last_action_date = models.DateField(_("last action date"))
    last_action_type = models.TextField(_("last action type"))
    field_name = models.TextField(_("field name"))
    previous_value = models.TextField(_("previous value"))
    replacement_value = models.TextField(_("replacement value"))
    updated_by = models.TextField(_("updated by"))

    class Meta:
        verbose_name = _("metadata")
        verbose_name_plural = _("metadata")


class MetaTableDescription(HsdsRecord):
    """HSDS `meta_table_description`: Metadata about individual tables."""

    hsds_table = "meta_table_description"
    name = models.TextField(_("name"), blank=True, default="")
    language = models.TextField(_("language"), blank=True, default="")
    character_set = models.TextField(_("character set"), blank=True, default="")

    class Meta:
        verbose_name = _("meta table description")
        verbose_name_plural = _("meta table descriptions")


class Unit(HsdsRecord):
    """HSDS 3.1 `unit`: what a service's capacity is counted in (beds, places, appointments)."""

    hsds_table = "unit"
    name = models.TextField(_("name"))
    scheme = models.TextField(_("scheme"), blank=True, default="")
    identifier = models.TextField(_("identifier"), blank=True, default="")
    uri = models.TextField(_("uri"), blank=True, default="")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")


class ServiceCapacity(HsdsRecord):
    """HSDS 3.1 `service_capacity`: how much of a service is available now, out of how much."""

    hsds_table = "service_capacity"
    service = models.ForeignKey(
        "Service", on_delete=models.CASCADE, related_name="capacities", verbose_name=_("service")
    )
    unit = models.ForeignKey(
        "Unit", on_delete=models.PROTECT, related_name="capacities", verbose_name=_("unit")
    )
    available = models.FloatField(_("available"))
    maximum = models.FloatField(_("maximum"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    updated = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("service capacity")
        verbose_name_plural = _("service capacities")


class DirectoryState(models.Model):
    """One row: a stamp renewed whenever the directory changes, so that every process can tell
    cheaply whether its in-memory matching index is still current. A random stamp rather than a
    counter: a rolled-back change must never bring back a value an index was built at."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    stamp = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("directory state")

    def __str__(self) -> str:
        return f"directory {self.stamp}"


def directory_changed() -> None:
    """Call in the transaction of any change to services, locations, costs or categories."""
    DirectoryState.objects.update_or_create(pk=1, defaults={"stamp": uuid.uuid4()})
