//! The words of column names: the names export tools write for each webhook field, the
//! prefixes that say whose field a column is or which of several addresses it belongs to,
//! and the words of columns that are about a field rather than the field itself.

use super::names::{How, Meaning, NamePart, Owner, PlacePart};
use crate::schema::Table;

use How::{Domain, Handle, List, Number, Plain, Seniority};
use Meaning::{CompanyList, Either, Field, Name, Place, Site};

const CONTACT: Table = Table::Contact;
const JOB: Table = Table::Employment;
const COMPANY: Table = Table::Company;

/// Normalised names (lowercase, alphanumerics only) and what they hold.
pub const SYNONYMS: &[(&[&str], Meaning, How, u8)] = &[
    (
        &[
            "email",
            "emailaddress",
            "workemail",
            "workemailaddress",
            "businessemail",
            "emailwork",
            "emailbusiness",
            "email1value",
            "primaryemail",
            "emailaddress1",
        ],
        Field(CONTACT, "email"),
        Plain,
        0,
    ),
    (
        &["mail", "email1", "emails"],
        Field(CONTACT, "email"),
        Plain,
        1,
    ),
    (
        &["personalemail", "emailhome", "homeemail", "emailpersonal"],
        Field(CONTACT, "email"),
        Plain,
        2,
    ),
    (
        &[
            "secondaryemail",
            "email2",
            "email2value",
            "email2address",
            "emailaddress2",
        ],
        Field(CONTACT, "email"),
        Plain,
        3,
    ),
    (
        &[
            "otheremail",
            "emailother",
            "tertiaryemail",
            "email3",
            "email3value",
            "email3address",
            "email4value",
        ],
        Field(CONTACT, "email"),
        Plain,
        4,
    ),
    (
        &["firstname", "first", "givenname", "fname", "forename"],
        Name(NamePart::First),
        Plain,
        0,
    ),
    (
        &["middlename", "middle", "additionalname"],
        Name(NamePart::Middle),
        Plain,
        0,
    ),
    (
        &["lastname", "last", "surname", "familyname", "lname"],
        Name(NamePart::Last),
        Plain,
        0,
    ),
    (
        &["name", "fullname", "displayname"],
        Either("name"),
        Plain,
        1,
    ),
    (&["nickname", "nick"], Either("nickname"), Plain, 0),
    (&["shortname"], Either("nickname"), Plain, 1),
    (
        &["bio", "biography", "about", "aboutme", "summary"],
        Either("bio"),
        Plain,
        0,
    ),
    (&["description"], Either("bio"), Plain, 1),
    (&["shortdescription"], Field(COMPANY, "bio"), Plain, 0),
    (&["seodescription"], Field(COMPANY, "bio"), Plain, 2),
    (&["headline"], Field(CONTACT, "bio"), Plain, 3),
    (
        &[
            "avatar",
            "avatarurl",
            "photo",
            "photourl",
            "picture",
            "pictureurl",
            "image",
            "imageurl",
            "profilepicture",
            "profilephoto",
            "profileimage",
            "headshot",
        ],
        Either("avatar"),
        Plain,
        0,
    ),
    (
        &["logo", "logourl", "companylogo"],
        Field(COMPANY, "avatar"),
        Plain,
        0,
    ),
    (&["website", "websiteurl", "website1value"], Site, Plain, 0),
    (&["site", "siteurl", "web", "webaddress"], Site, Plain, 1),
    (&["url"], Site, Plain, 2),
    (
        &[
            "websitework",
            "workwebsite",
            "businesswebsite",
            "companywebsite",
            "companyurl",
        ],
        Field(COMPANY, "website"),
        Plain,
        0,
    ),
    (
        &[
            "websitehomepage",
            "homepage",
            "webpage",
            "personalwebsite",
            "websitepersonal",
        ],
        Field(CONTACT, "website"),
        Plain,
        1,
    ),
    (
        &[
            "websiteblog",
            "blog",
            "websiteprofile",
            "websiteother",
            "website2value",
        ],
        Field(CONTACT, "website"),
        Plain,
        3,
    ),
    (
        &[
            "domain",
            "domainname",
            "companydomain",
            "companydomainname",
            "associatedcompanydomain",
            "websitedomain",
        ],
        Field(COMPANY, "domain"),
        Domain,
        0,
    ),
    (&["emaildomain"], Field(CONTACT, "domain"), Domain, 0),
    (&["location"], Either("location"), Plain, 12),
    (
        &["address", "fulladdress", "formattedaddress"],
        Either("location"),
        Plain,
        13,
    ),
    (
        &["city", "town", "locality"],
        Place(Owner::Either, PlacePart::City),
        Plain,
        0,
    ),
    (
        &[
            "state",
            "region",
            "province",
            "stateregion",
            "stateprovince",
        ],
        Place(Owner::Either, PlacePart::State),
        Plain,
        0,
    ),
    (
        &[
            "country",
            "countryregion",
            "countryname",
            "countrycode",
            "nation",
        ],
        Place(Owner::Either, PlacePart::Country),
        Plain,
        0,
    ),
    (
        &["timezone", "tz", "timezonename", "ianatimezone"],
        Either("timeZone"),
        Plain,
        0,
    ),
    (
        &["notes", "note", "comments", "comment", "remarks"],
        Field(CONTACT, "note"),
        Plain,
        0,
    ),
    (
        &["apollocontactid", "apollopersonid"],
        Field(CONTACT, "externalIdApollo"),
        Plain,
        0,
    ),
    (
        &["apolloaccountid", "apolloorganizationid", "apollocompanyid"],
        Field(COMPANY, "externalIdApollo"),
        Plain,
        0,
    ),
    (&["apolloid"], Either("externalIdApollo"), Plain, 1),
    (&["jobtitle"], Field(JOB, "title"), Plain, 0),
    (
        &[
            "title",
            "position",
            "jobposition",
            "currenttitle",
            "currentposition",
        ],
        Field(JOB, "title"),
        Plain,
        1,
    ),
    (
        &["designation", "occupation", "jobrole"],
        Field(JOB, "title"),
        Plain,
        2,
    ),
    (
        &["seniority", "senioritylevel"],
        Field(JOB, "seniority"),
        Seniority,
        0,
    ),
    (
        &["joblevel", "managementlevel"],
        Field(JOB, "seniority"),
        Seniority,
        1,
    ),
    (&["level"], Field(JOB, "seniority"), Seniority, 2),
    (&["companynameforemails"], Field(COMPANY, "name"), Plain, 0),
    (
        &[
            "companyname",
            "accountname",
            "organizationname",
            "organisationname",
            "businessname",
            "employername",
        ],
        Field(COMPANY, "name"),
        Plain,
        1,
    ),
    (
        &[
            "company",
            "organization",
            "organisation",
            "account",
            "employer",
            "currentcompany",
            "associatedcompany",
        ],
        Field(COMPANY, "name"),
        Plain,
        2,
    ),
    (&["legalname"], Field(COMPANY, "name"), Plain, 3),
    (
        &["tagline", "subtitle", "slogan"],
        Field(COMPANY, "subtitle"),
        Plain,
        0,
    ),
    (
        &[
            "employees",
            "numberofemployees",
            "employeecount",
            "employeescount",
            "noofemployees",
            "numemployees",
            "estimatednumemployees",
            "headcount",
            "companysize",
            "employeesrange",
        ],
        Field(COMPANY, "employeesCount"),
        Number,
        0,
    ),
    (
        &[
            "annualrevenue",
            "revenue",
            "estimatedannualrevenue",
            "annualrevenueusd",
        ],
        Field(COMPANY, "annualRevenue"),
        Number,
        0,
    ),
    (
        &[
            "totalfunding",
            "fundingtotal",
            "totalfundingamount",
            "totalraised",
            "fundsraised",
            "raised",
        ],
        Field(COMPANY, "fundingTotal"),
        Number,
        0,
    ),
    (
        &["foundedyear", "founded", "yearfounded", "foundingyear"],
        Field(COMPANY, "foundedYear"),
        Plain,
        0,
    ),
    (
        &[
            "numberofretaillocations",
            "retaillocations",
            "retaillocationscount",
        ],
        Field(COMPANY, "retailLocationsCount"),
        Number,
        0,
    ),
    (
        &["fundingstage", "latestfundingstage", "lastfundingtype"],
        Field(COMPANY, "fundingStage"),
        Plain,
        0,
    ),
    (&["latestfunding"], Field(COMPANY, "fundingStage"), Plain, 1),
    (
        &[
            "ticker",
            "tickersymbol",
            "stocksymbol",
            "stockticker",
            "symbol",
        ],
        Field(COMPANY, "ticker"),
        Plain,
        0,
    ),
    (
        &["industry", "industries", "sector"],
        Field(COMPANY, "industries"),
        List { always: false },
        0,
    ),
    (
        &["keywords", "keyword"],
        Field(COMPANY, "tags"),
        List { always: true },
        0,
    ),
    (
        &["tags", "tag", "labels", "categories"],
        CompanyList("tags"),
        List { always: true },
        1,
    ),
    (
        &["languages", "language"],
        CompanyList("languages"),
        List { always: true },
        0,
    ),
    (
        &[
            "technologies",
            "technology",
            "techstack",
            "stack",
            "technographics",
        ],
        Field(COMPANY, "stack"),
        List { always: true },
        0,
    ),
];

/// The sites whose profile URLs hold a handle, as a name writes them, and their field.
pub const SOCIAL: [(&str, &str); 6] = [
    ("linkedin", "linkedInHandle"),
    ("twitter", "xHandle"),
    ("x", "xHandle"),
    ("github", "gitHubHandle"),
    ("facebook", "facebookHandle"),
    ("instagram", "instagramHandle"),
];

/// What may follow a site's name in a column that holds a profile.
pub const SOCIAL_SUFFIXES: [&str; 10] = [
    "",
    "url",
    "handle",
    "profile",
    "profileurl",
    "username",
    "link",
    "page",
    "pageurl",
    "companypage",
];

/// Prefixes that say whose field a column is: `Company City`, `Contact Email`.
pub const SCOPES: [(&str, Table); 9] = [
    ("associatedcompany", COMPANY),
    ("company", COMPANY),
    ("account", COMPANY),
    ("organization", COMPANY),
    ("organisation", COMPANY),
    ("employer", COMPANY),
    ("contact", CONTACT),
    ("person", CONTACT),
    ("lead", CONTACT),
];

/// Prefixes that tell one address (or email, or name) of a record from another, with how
/// good a source each is: the work address of a contact before the home one.
pub const GROUPS: [(&str, u8); 17] = [
    ("work", 0),
    ("business", 0),
    ("office", 0),
    ("mailing", 0),
    ("billing", 0),
    ("primary", 0),
    ("main", 0),
    ("current", 0),
    ("name", 0),
    ("address", 0),
    ("home", 1),
    ("personal", 1),
    ("private", 1),
    ("shipping", 1),
    ("other", 2),
    ("alternate", 2),
    ("alternative", 2),
];

/// Segments of a JSON path that say whose fields lie under them.
pub const PATH_SCOPES: [(&str, Table); 13] = [
    ("company", COMPANY),
    ("organization", COMPANY),
    ("organisation", COMPANY),
    ("org", COMPANY),
    ("account", COMPANY),
    ("employer", COMPANY),
    ("employment", COMPANY),
    ("person", CONTACT),
    ("contact", CONTACT),
    ("user", CONTACT),
    ("lead", CONTACT),
    ("member", CONTACT),
    ("profile", CONTACT),
];

/// Words that make a column about a field rather than the field: `Email Status`.
pub const META: [&str; 37] = [
    "status",
    "source",
    "confidence",
    "verified",
    "verification",
    "sent",
    "open",
    "opened",
    "opens",
    "bounce",
    "bounced",
    "click",
    "clicks",
    "clicked",
    "catch",
    "type",
    "opt",
    "optin",
    "optout",
    "unsubscribed",
    "consent",
    "date",
    "at",
    "id",
    "owner",
    "rating",
    "score",
    "domain",
    "valid",
    "format",
    "permission",
    "growth",
    "change",
    "rate",
    "followers",
    "reply",
    "replied",
];

/// Keywords whose presence in a name is a fair guess at the field, when nothing better
/// matched and no word of [`META`] is in the name.
pub const KEYWORDS: [(&str, Meaning, How); 7] = [
    ("email", Field(CONTACT, "email"), Plain),
    ("jobtitle", Field(JOB, "title"), Plain),
    ("timezone", Either("timeZone"), Plain),
    (
        "industr",
        Field(COMPANY, "industries"),
        List { always: false },
    ),
    ("employee", Field(COMPANY, "employeesCount"), Number),
    ("revenue", Field(COMPANY, "annualRevenue"), Number),
    ("linkedin", Either("linkedInHandle"), Handle),
];

/// Words of names known to have no field, and why.
pub const NO_FIELD: [(&[&str], &str); 6] = [
    (
        &[
            "phone",
            "mobile",
            "fax",
            "pager",
            "telephone",
            "tel",
            "cell",
            "landline",
        ],
        "the webhook has no phone field",
    ),
    (
        &["street", "zip", "postal", "postcode", "pobox", "box"],
        "a location is written from city, region and country only",
    ),
    (
        &["birthday", "birth", "dob", "anniversary"],
        "the webhook has no field for personal dates",
    ),
    (
        &[
            "date",
            "created",
            "modified",
            "updated",
            "timestamp",
            "at",
            "on",
            "time",
        ],
        "the webhook has no field for this date",
    ),
    (
        &["id", "index", "leid", "euid", "uuid", "guid", "unnamed"],
        "an id or row number of the exporting tool",
    ),
    (
        &["owner", "status", "stage", "lifecycle", "rating", "score"],
        "the exporting tool's own bookkeeping",
    ),
];
